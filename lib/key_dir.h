// The key dir: everything a reader needs to scan one key, written after the
// key's chunks, posting blocks and index block, and found through the hash
// table or the key table.
//
//   key_dir := body_len: u32 | body | checksum: u32 (of body_len | body)
//   body    := key: varint len + bytes
//            | chunk_count: varint (>= 1)
//            | group_count: varint (0: one group named "")
//            | group_count x (name: varint len + bytes | first_chunk: varint)
//            | index_offset: varint | index_size: varint (0: no index block)
//            | chunks_end: varint
//            | with kFlagCoveredEntries: cover_count: varint
//              | cover_count x (name | value | count: varint | offset: varint | size: varint)
//            | chunk_count x chunk entry (32 bytes, see chunk.h)
//
// Chunks are contiguous: chunk i spans [offset_i, offset_i+1), the last one
// ends at chunks_end. Groups are sorted by name and own consecutive chunks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "chunk.h"
#include "file.h"

namespace esdb::detail {

struct KeyDir {
  // A covered index entry: its copy is the block [offset, offset + size).
  struct Cover {
    uint64_t count = 0, offset = 0, size = 0;
  };
  struct Group {
    std::string_view name;
    uint64_t first_chunk = 0;
    uint64_t end_chunk = 0;
  };

  std::shared_ptr<const File> file;
  Window bytes;  // holds the dir (and, after a lookup of a remote file, the region before it)
  uint64_t offset = 0;  // of the key dir
  uint64_t end = 0;     // just past its checksum
  std::string_view key;
  uint64_t chunk_count = 0;
  const char* chunk_entries = nullptr;
  uint64_t chunks_end = 0;
  uint64_t index_offset = 0;
  uint64_t index_size = 0;
  uint64_t event_count = 0;
  std::vector<Group> groups;  // at least one
  std::string_view covers;    // the cover entries, checked (empty without)

  struct CoverEntry {
    std::string_view name, value;
    Cover cover;
  };
  // The covered entry (name, value), if it is one.
  std::optional<Cover> find_cover(std::string_view name, std::string_view value) const;
  std::vector<CoverEntry> cover_entries() const;

  ChunkEntry chunk(uint64_t i) const { return decode_chunk_entry(chunk_entries + i * 32); }
  uint64_t chunk_first_ordinal(uint64_t i) const { return i == 0 ? 0 : chunk(i - 1).end_ordinal; }
  uint64_t chunk_end_offset(uint64_t i) const { return i + 1 < chunk_count ? chunk(i + 1).offset : chunks_end; }
  // The chunk holding `ordinal`, searched within [lo, hi).
  uint64_t chunk_of(uint64_t ordinal, uint64_t lo, uint64_t hi) const;

  // The key's region [chunk(0).offset, end): chunks, posting blocks, index
  // block and dir. Fetched (one request) when a remote dir came without it.
  Window region() const;

  // Reads, checks and parses the key dir at `offset`. A remote file fetches
  // it with `before` bytes before it (a lookup: the key's region comes along)
  // and at least `after` bytes from it on (a walk in stored order: the next
  // dirs come along). Throws Error.
  static std::shared_ptr<const KeyDir> parse(std::shared_ptr<const File> file, uint64_t offset, uint64_t before = 0,
                                             uint64_t after = 0);
};

}  // namespace esdb::detail
