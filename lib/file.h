// A mapped esdb file: the bytes, the parsed footer and the error helpers
// every reader-side structure uses. Immutable once opened.
#pragma once

#include <boost/iostreams/device/mapped_file.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "esdb/esdb.h"
#include "format/footer.h"

namespace esdb::detail {

struct File {
  std::string path;
  boost::iostreams::mapped_file_source map;
  const char* data = nullptr;
  uint64_t size = 0;
  format::Footer footer;
  FileStats stats;

  [[noreturn]] void corrupt(uint64_t offset, const std::string& what) const {
    throw Error(Errc::corrupt, path, offset, what);
  }
  // The bytes [offset, offset + n), which must lie inside [lo, hi).
  std::string_view span(uint64_t offset, uint64_t n, uint64_t lo, uint64_t hi, const char* what) const {
    if (offset < lo || offset > hi || n > hi - offset) {
      corrupt(offset, std::string(what) + " of " + std::to_string(n) + " bytes lies outside [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + ")");
    }
    return std::string_view(data + offset, n);
  }
};

inline FileStats stats_from_footer(const format::Footer& f, uint64_t file_size) {
  FileStats s;
  s.format_version = f.format_version;
  s.file_size = file_size;
  s.key_count = f.key_count;
  s.event_count = f.event_count;
  s.chunk_count = f.chunk_count;
  s.data_bytes = f.data_bytes;
  s.raw_chunk_bytes = f.raw_chunk_bytes;
  s.stored_chunk_bytes = f.stored_chunk_bytes;
  s.min_timestamp = f.min_timestamp;
  s.max_timestamp = f.max_timestamp;
  return s;
}

}  // namespace esdb::detail
