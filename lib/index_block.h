// The index block of a key: every (name, value) the key's events carry, with
// its posting list. One block, sorted by name then value:
//
//   entry_count: varint
//   entry := name: varint len + bytes | value: varint len + bytes
//          | count: varint | first: varint | last: varint
//          | where: varint = deltas_len << 1 | external
//          | inline:   deltas (deltas_len bytes)
//          | external: offset: varint   (a raw block of deltas_len + 5 bytes)
//
// Short lists stay inline, where Snappy folds the repeated names; long ones
// get their own block so a scan reads only the list it needs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "postings.h"

namespace esdb {

struct IndexRecord {
  std::string_view name;
  std::string_view value;
  uint64_t count = 0, first = 0, last = 0;
  uint64_t deltas_len = 0;
  bool external = false;
  std::string_view inline_deltas;
  uint64_t external_offset = 0;

  PostingList list(std::string_view deltas) const { return {count, first, last, deltas}; }
};

// Parses and checks the index block payload of a key with `event_count`
// events. Returns "" or what is wrong.
std::string parse_index_block(std::string_view payload, uint64_t event_count, std::vector<IndexRecord>& out);

}  // namespace esdb
