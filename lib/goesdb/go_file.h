// The bytes of one Go ESDB file (customerio/esdb v1.0.x) and the error
// helpers every goesdb reader uses: each failure names the file and the
// absolute offset where the bytes contradict the Go format.
#pragma once

#include <boost/iostreams/device/mapped_file.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace esdb::goesdb {

struct GoFile {
  std::string path;
  const char* data = nullptr;
  uint64_t size = 0;

  [[noreturn]] void corrupt(uint64_t offset, const std::string& what) const;
  // The bytes [offset, offset + n), which must lie inside [lo, hi).
  std::string_view span(uint64_t offset, uint64_t n, uint64_t lo, uint64_t hi, const char* what) const;
};

// A GoFile over a mapped file; the map lives as long as this object.
class MappedGoFile {
 public:
  // Throws Error(io) when the file cannot be opened or mapped.
  explicit MappedGoFile(const std::string& path);
  MappedGoFile(const MappedGoFile&) = delete;
  MappedGoFile& operator=(const MappedGoFile&) = delete;
  const GoFile& file() const { return file_; }

 private:
  boost::iostreams::mapped_file_source map_;
  GoFile file_;
};

}  // namespace esdb::goesdb
