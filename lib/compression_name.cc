// The names a user gives a codec (CLI flags, Python keywords), in one place.
#include <charconv>

#include "esdb/esdb.h"

namespace esdb {

bool set_compression(WriterOptions& options, std::string_view name) {
  if (name == "snappy" || name == "none") {
    options.compression = name == "snappy" ? Compression::snappy : Compression::none;
    return true;
  }
  int level = WriterOptions{}.compression_level;
  if (name != "zstd") {
    constexpr std::string_view prefix = "zstd:";
    if (name.substr(0, prefix.size()) != prefix) return false;
    const char* b = name.data() + prefix.size();
    const char* e = name.data() + name.size();
    auto [p, ec] = std::from_chars(b, e, level);
    if (ec != std::errc() || p != e || b == e || level < -7 || level > 22) return false;
  }
  options.compression = Compression::zstd;
  options.compression_level = level;
  return true;
}

}  // namespace esdb
