#include "output_file.h"

#include "cli_error.h"
#include "compression_flag.h"

namespace esdb::cli {

Writer create_output(const std::string& path, bool force, size_t memory_bytes) {
  return create_output(path, force, memory_bytes, "snappy");
}

Writer create_output(const std::string& path, bool force, size_t memory_bytes, const std::string& compression) {
  WriterOptions options;
  apply_compression(compression, options);
  options.overwrite = force;
  options.memory_budget = memory_bytes;
  try {
    return Writer::create(path, options);
  } catch (const Error& e) {
    if (e.code() != Errc::exists) throw;
    throw input_error(path + ": exists; pass --force to replace it");
  }
}

}  // namespace esdb::cli
