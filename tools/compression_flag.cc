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
  cmd.add_option("--cover", flags.cover,
                 "Give the sparse entries of index NAME (each value on at most --cover-max-share of a key's "
                 "events), or the one entry NAME=VALUE, a copy of their events beside the index, so a scan "
                 "of one (get/scan --index NAME=VALUE) decodes no chunk; repeatable. Costs about the covered "
                 "events' share of the file; readers without the covered-entries format flag refuse it as "
                 "unsupported")
      ->type_name("NAME");
  cmd.add_option("--cover-max-share", flags.cover_max_share,
                 "With --cover NAME: the largest share of a key's events a covered value may carry")
      ->check(CLI::Validator(
          [](std::string& v) {
            double f;  // NaN fails the comparison too
            return CLI::detail::lexical_cast(v, f) && f > 0 && f <= 1 ? std::string()
                                                                      : "expected a fraction in (0, 1]";
          },
          ""))
      ->type_name("FRACTION")
      ->capture_default_str();
}

void apply_compression(const CompressionFlags& flags, WriterOptions& options) {
  set_compression(options, flags.codec);  // checked at parse time
  options.zstd_dictionary_size = flags.zstd_dictionary;
  options.covered_indexes = flags.cover;
  options.cover_max_share = flags.cover_max_share;
}

}  // namespace esdb::cli
