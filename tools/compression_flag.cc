#include "compression_flag.h"

namespace esdb::cli {

CLI::Option* add_compression_option(CLI::App& cmd, std::string& text) {
  return cmd
      .add_option("--compression", text,
                  "Chunk compression: snappy, zstd, zstd:LEVEL (-7..22; default 7) or none. "
                  "readers without the compact-blocks format flag refuse zstd files as unsupported; "
                  "zstd files also get a per-file dictionary where it pays (SPEC.md, \"zstd dictionary\")")
      ->type_name("CODEC")
      ->check(CLI::Validator(
          [](std::string& v) {
            WriterOptions scratch;
            return set_compression(scratch, v) ? std::string() : "expected snappy, none, zstd or zstd:LEVEL";
          },
          "CODEC"))
      ->capture_default_str();
}

void apply_compression(const std::string& text, WriterOptions& options) {
  set_compression(options, text);  // checked at parse time
}

}  // namespace esdb::cli
