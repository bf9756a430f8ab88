// Creating the file build and merge write, with the tool's flags.
#pragma once

#include <cstddef>
#include <string>

#include "compression_flag.h"
#include "esdb/esdb.h"

namespace esdb::cli {

// A Writer for `path`, replacing an existing file only with `force`
// (--force), buffering `memory_bytes` before spilling (--memory). Throws
// CliError (exit 2) when the path exists, naming the flag that would help.
// The writer flags (--compression, --zstd-dictionary, --cover...) are
// applied as compression_flag.h reads them; `compression_threads` as
// WriterOptions::compression_threads.
Writer create_output(const std::string& path, bool force, size_t memory_bytes,
                     const CompressionFlags& compression = {}, int compression_threads = -1);

}  // namespace esdb::cli
