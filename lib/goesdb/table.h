// The LevelDB-format tables of a Go ESDB file (its file index and each space
// index), as written by customerio/esdb's sst package: no compression, no
// filter.
//
//   table:  data block* | metaindex block | index block | footer
//   block:  entry* | restart: fixed32 * n | n: fixed32 | type: 0 | masked crc32c: fixed32
//   entry:  shared: uvarint | unshared: uvarint | value_len: uvarint | key suffix | value
//   index block entry value: block handle = offset: uvarint | size: uvarint
//           (table-relative; size excludes the 5-byte type + crc trailer)
//   footer (48 bytes): metaindex handle | index handle | zero padding | 57 fb 80 8b 24 75 47 db
//   masked crc32c: c = crc32c(block contents | type); ((c >> 15) | (c << 17)) + 0xa282ead8
//
// In the Go file a table is followed by fixed64 = its length; read_trailing_table
// finds it from there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "goesdb/go_file.h"

namespace esdb::goesdb {

struct TableEntry {
  std::string key;
  std::string_view value;  // points into the file
  uint64_t offset = 0;     // absolute file offset of the entry, for errors
};

// Every entry of the table at [offset, offset + length) of the file, in key
// order; checks every block's checksum, every handle and that keys strictly
// ascend.
std::vector<TableEntry> read_table(const GoFile& f, uint64_t offset, uint64_t length);

// The table whose fixed64 length ends at `end`; the table must start at or
// after `lo`. Sets table_offset to where it starts.
std::vector<TableEntry> read_trailing_table(const GoFile& f, uint64_t lo, uint64_t end, uint64_t& table_offset);

}  // namespace esdb::goesdb
