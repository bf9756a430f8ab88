#include "esdb/error.h"

namespace esdb {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::io: return "io";
    case Errc::corrupt: return "corrupt";
    case Errc::unsupported: return "unsupported";
    case Errc::invalid_argument: return "invalid argument";
    case Errc::exists: return "exists";
  }
  return "unknown";
}

static std::string format_message(const std::string& path, uint64_t offset, const std::string& what) {
  std::string m = path.empty() ? std::string() : path + ": ";
  if (offset != Error::kNoOffset) m += "offset " + std::to_string(offset) + ": ";
  return m + what;
}

Error::Error(Errc code, std::string path, uint64_t offset, const std::string& what)
    : std::runtime_error(format_message(path, offset, what)),
      code_(code),
      path_(std::move(path)),
      offset_(offset),
      detail_(what) {}

}  // namespace esdb
