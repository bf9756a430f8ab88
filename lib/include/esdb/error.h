// The one error type of esdb. Every failing call throws an esdb::Error that
// names the file, the byte offset (when one applies) and what is wrong.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace esdb {

enum class Errc {
  io,                // the operating system refused (open, read, write, rename)
  corrupt,           // the bytes contradict the format: checksum, bounds, order
  unsupported,       // a newer format version or an unknown required feature
  invalid_argument,  // the caller broke a documented limit or rule
  exists,            // the destination exists and overwrite was not asked for
};

const char* errc_name(Errc code);

class Error : public std::runtime_error {
 public:
  static constexpr uint64_t kNoOffset = ~uint64_t{0};

  Error(Errc code, std::string path, uint64_t offset, const std::string& what);

  Errc code() const { return code_; }
  const std::string& path() const { return path_; }
  uint64_t offset() const { return offset_; }  // kNoOffset if none applies
  // The message without the "path: offset N: " prefix that what() carries.
  const std::string& detail() const { return detail_; }

 private:
  Errc code_;
  std::string path_;
  uint64_t offset_;
  std::string detail_;
};

}  // namespace esdb
