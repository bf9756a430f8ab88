// --compression and --zstd-dictionary for build and merge. Checked while the
// command line is parsed (a bad value is a usage error); applied to the
// WriterOptions of the file written.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>

#include "esdb/esdb.h"

namespace esdb::cli {

struct CompressionFlags {
  std::string codec = "snappy";  // snappy, none, zstd or zstd:LEVEL
  size_t zstd_dictionary = WriterOptions{}.zstd_dictionary_size;  // bytes; 0 = never
};

void add_compression_options(CLI::App& cmd, CompressionFlags& flags);

// Sets options.compression, the zstd level and dictionary size from checked
// values.
void apply_compression(const CompressionFlags& flags, WriterOptions& options);

}  // namespace esdb::cli
