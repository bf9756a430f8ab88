#include "compression_flag.h"

#include "format/format.h"

namespace esdb::cli {

void add_compression_options(CLI::App& cmd, CompressionFlags& flags) {
  cmd.add_option("--compression", flags.codec,
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
  cmd.add_option("--zstd-dictionary", flags.zstd_dictionary,
                 "With zstd: the largest per-file dictionary to train (256..1MiB, e.g. 16K, 64KiB); "
                 "0 never trains one. The writer keeps a dictionary only where it saves space")
      ->transform(CLI::AsSizeValue(false).description(""))  // 16K = 16KiB = 16384
      ->check(CLI::Validator(
          [](std::string& v) {
            const unsigned long long n = std::stoull(v);  // AsSizeValue left digits only
            return n == 0 || (n >= 256 && n <= format::kMaxDictionarySize) ? std::string()
                                                                             : "expected 0 or 256..1MiB";
          },
          ""))
      ->type_name("SIZE")
      ->capture_default_str();
}

void apply_compression(const CompressionFlags& flags, WriterOptions& options) {
  set_compression(options, flags.codec);  // checked at parse time
  options.zstd_dictionary_size = flags.zstd_dictionary;
}

}  // namespace esdb::cli
