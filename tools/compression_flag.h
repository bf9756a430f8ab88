// --compression for build and merge: snappy (the default), none, zstd or
// zstd:LEVEL. Checked while the command line is parsed (a bad value is a
// usage error); applied to the WriterOptions of the file written.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "esdb/esdb.h"

namespace esdb::cli {

CLI::Option* add_compression_option(CLI::App& cmd, std::string& text);

// Sets options.compression (and the zstd level) from a checked value.
void apply_compression(const std::string& text, WriterOptions& options);

}  // namespace esdb::cli
