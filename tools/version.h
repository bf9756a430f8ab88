// The one place the tool's own version and the format it writes are named.
#pragma once

#include <string>

#ifndef ESDB_TOOL_VERSION
#define ESDB_TOOL_VERSION "1.0.0"  // CMake passes the project version
#endif

namespace esdb::cli {

// The format version the library writes (SPEC.md). Hard-coded until the
// public header exports a constant; FileStats::format_version reports what
// an existing file actually holds.
inline constexpr int kFormatVersion = 1;

inline std::string version_text() {
  return std::string("esdb ") + ESDB_TOOL_VERSION + ", format " + std::to_string(kFormatVersion);
}

}  // namespace esdb::cli
