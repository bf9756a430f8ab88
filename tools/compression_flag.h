// The flags of build and merge that shape the file written: --compression,
// --zstd-dictionary, and --cover/--cover-max-share (which index entries get
// a covering copy of their events). Checked while the command line is parsed
// (a bad value is a usage error, before any file is created); applied to the
// WriterOptions of the file written.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "esdb/esdb.h"

namespace esdb::cli {

struct CompressionFlags {
  std::string codec = "snappy";  // snappy, none, zstd or zstd:LEVEL
  size_t zstd_dictionary = WriterOptions{}.zstd_dictionary_size;  // bytes; 0 = never
  std::vector<std::string> cover;                                  // NAME or NAME=VALUE
  double cover_max_share = WriterOptions{}.cover_max_share;        // in (0, 1]
};

void add_compression_options(CLI::App& cmd, CompressionFlags& flags);

// Sets options.compression, the zstd level, dictionary size and covered
// indexes from checked values.
void apply_compression(const CompressionFlags& flags, WriterOptions& options);

}  // namespace esdb::cli
