// Writes one key's region of the file, streaming: events arrive sorted by
// (group, timestamp, order of add) and chunks go to the BlockPipeline as
// they fill; the key's tail (posting blocks, index block, key dir) follows
// once its chunks are in the file.
//
//   key region := chunk* | posting block* | cover block* | index block? | key dir
//
// In memory it holds the chunk being filled, the chunks being compressed,
// and for each key not yet finished its chunk entries, groups and posting
// lists (about one byte per index entry). Finished keys' state (up to 1 MiB
// in all) is kept for the next keys, so a small key costs no allocation.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "block_pipeline.h"
#include "chunk.h"
#include "esdb/esdb.h"
#include "hash_table.h"
#include "posting_table.h"

namespace esdb {

class FileSink;

// What the footer sums up over every key.
struct FileTotals {
  uint64_t events = 0, chunks = 0, data_bytes = 0, raw_chunk_bytes = 0, stored_chunk_bytes = 0;
  int64_t min_ts = kMaxTime, max_ts = kMinTime;
};

class KeyBlockBuilder {
 public:
  // Finished keys are appended to `keys` (in key order) as they are written.
  KeyBlockBuilder(FileSink& sink, const WriterOptions& options, FileTotals& totals, std::vector<HashedKey>& keys);
  ~KeyBlockBuilder();
  void begin(std::string_view key);
  void add(std::string_view group, int64_t ts, std::string_view data, std::span<const IndexEntry> indexes);
  // Queues the rest of the key's region.
  void finish();
  // Writes everything queued.
  void flush();
  // BlockPipeline::help: compresses a queued chunk here; false if none.
  bool help_compress() { return pipeline_.help(); }
  // After flush(): the zstd dictionary's bytes, "" if the file has none.
  const std::string& dictionary() const { return pipeline_.dictionary(); }

 private:
  struct PendingKey;
  // A pooled PendingKey for the next key; give_back() returns one.
  PendingKey* take_key();
  void give_back(PendingKey* k);
  // `newest`: the chunk is its group's last (a group change or the key's
  // end cut it), the one a newest-first scan reads.
  void flush_chunk(bool newest);
  void cover(PendingKey& k, PostingTable::Entry& entry, int64_t ts, std::string_view data);
  PostingTable::Entry::Cover cover_rule(std::string_view name, std::string_view value) const;
  bool over_share(uint64_t count, uint64_t events) const;
  void write_tail(PendingKey& k);

  FileSink& sink_;
  const WriterOptions& options_;
  FileTotals& totals_;
  std::vector<HashedKey>& keys_;
  Codec codec_;
  // Every PendingKey made, and those free for reuse. Callbacks queued in the
  // pipeline hold plain pointers into them (small enough for std::function
  // to store without allocating), so these are declared before it.
  std::vector<std::unique_ptr<PendingKey>> all_keys_;
  std::vector<PendingKey*> free_keys_;
  size_t kept_bytes_ = 0;  // capacity held by free_keys_
  BlockPipeline pipeline_;
  PendingKey* key_ = nullptr;
  ChunkBuilder chunk_;
  // write_tail's buffers, reused key after key.
  std::vector<const PostingTable::Entry*> sorted_;
  std::vector<uint64_t> external_;
  std::vector<std::pair<uint64_t, uint64_t>> cover_blocks_;
  std::vector<SubEnd> cover_subs_;
  std::string cover_stored_;
  std::string payload_, dir_, scratch_;
};

}  // namespace esdb
