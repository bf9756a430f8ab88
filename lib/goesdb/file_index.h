// The file level of a Go ESDB file: its spaces, found through the file index.
//
//   file:  space* (back to back, in no particular order) | file index table | fixed64 table length
//   table: space id (the key) -> space offset: fixed64 | space length: fixed64 (absolute)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "goesdb/go_file.h"

namespace esdb::goesdb {

struct SpaceRef {
  std::string key;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// The spaces in key order. Checks that they tile the bytes before the file
// index exactly, so that no two overlap and none reaches past it.
std::vector<SpaceRef> read_file_index(const GoFile& f);

}  // namespace esdb::goesdb
