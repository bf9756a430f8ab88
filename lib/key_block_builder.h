// Writes one key's region of the file, streaming: events arrive sorted by
// (group, timestamp, order of add) and chunks go out as they fill.
//
//   key region := chunk* | posting block* | index block? | key dir
//
// In memory it holds one chunk being filled, the chunk entries and groups
// of the key, and its posting lists (about one byte per index entry).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chunk.h"
#include "esdb/esdb.h"
#include "postings.h"

namespace esdb {

class FileSink;

// What the footer sums up over every key.
struct FileTotals {
  uint64_t events = 0, chunks = 0, data_bytes = 0, raw_chunk_bytes = 0, stored_chunk_bytes = 0;
  int64_t min_ts = kMaxTime, max_ts = kMinTime;
};

class KeyBlockBuilder {
 public:
  KeyBlockBuilder(FileSink& sink, const WriterOptions& options, FileTotals& totals);
  void begin(std::string_view key);
  void add(std::string_view group, int64_t ts, std::string_view data, std::span<const IndexEntry> indexes);
  // Writes the rest of the region; returns the offset of the key dir.
  uint64_t finish();

 private:
  void flush_chunk();

  FileSink& sink_;
  const WriterOptions& options_;
  FileTotals& totals_;
  std::string key_;
  ChunkBuilder chunk_;
  std::string chunk_entries_;
  uint64_t chunk_count_ = 0;
  uint64_t ordinal_ = 0;
  std::vector<std::pair<std::string, uint64_t>> groups_;  // name, first chunk
  bool group_open_ = false;
  // Posting lists by entry, keyed by name_len:u32 | name | value.
  std::unordered_map<std::string, PostingBuilder> postings_;
  std::string entry_key_;
  std::string scratch_;
};

}  // namespace esdb
