#include "compression_flag.h"

#include <charconv>
#include <optional>

namespace esdb::cli {

namespace {

struct Choice {
  Compression kind;
  int level;
};

std::optional<Choice> parse(const std::string& text) {
  if (text == "snappy") return Choice{Compression::snappy, 0};
  if (text == "none") return Choice{Compression::none, 0};
  if (text == "zstd") return Choice{Compression::zstd, WriterOptions{}.compression_level};
  if (text.rfind("zstd:", 0) != 0) return std::nullopt;
  int level = 0;
  const char* b = text.data() + 5;
  const char* e = text.data() + text.size();
  auto [p, ec] = std::from_chars(b, e, level);
  if (ec != std::errc() || p != e || b == e || level < -7 || level > 22) return std::nullopt;
  return Choice{Compression::zstd, level};
}

}  // namespace

CLI::Option* add_compression_option(CLI::App& cmd, std::string& text) {
  return cmd
      .add_option("--compression", text,
                  "Chunk compression: snappy, zstd, zstd:LEVEL (-7..22; default 7) or none. "
                  "readers without the compact-blocks format flag refuse zstd files as unsupported; "
                  "zstd files also get a per-file dictionary where it pays (SPEC.md, \"zstd dictionary\")")
      ->type_name("CODEC")
      ->check(CLI::Validator(
          [](std::string& v) { return parse(v) ? std::string() : "expected snappy, none, zstd or zstd:LEVEL"; },
          "CODEC"))
      ->capture_default_str();
}

void apply_compression(const std::string& text, WriterOptions& options) {
  std::optional<Choice> c = parse(text);
  if (!c) return;  // checked at parse time
  options.compression = c->kind;
  if (c->kind == Compression::zstd) options.compression_level = c->level;
}

}  // namespace esdb::cli
