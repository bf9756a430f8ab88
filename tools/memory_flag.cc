#include "memory_flag.h"

#include <charconv>

#include "cli_error.h"

namespace esdb::cli {

std::optional<size_t> parse_memory_size(std::string_view text, std::string& error) {
  uint64_t n = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  unsigned shift = 20;  // no suffix: MiB
  bool ok = ec == std::errc() && ptr != text.data();
  if (ok && ptr != end) {
    switch (*ptr) {
      case 'k': case 'K': shift = 10; break;
      case 'm': case 'M': shift = 20; break;
      case 'g': case 'G': shift = 30; break;
      case 't': case 'T': shift = 40; break;
      default: ok = false;
    }
    ok = ok && ptr + 1 == end;
  }
  if (!ok) {
    error = "expected a size like 512K, 256M, 1G or a number of MiB, got \"" + std::string(text) + "\"";
    return std::nullopt;
  }
  // Compare before shifting, so a huge number cannot wrap into range.
  if (n == 0 || n > (kMaxMemory >> shift) || (n << shift) < kMinMemory) {
    error = "\"" + std::string(text) + "\" is outside 1K..1T";
    return std::nullopt;
  }
  return static_cast<size_t>(n << shift);
}

CLI::Option* add_memory_option(CLI::App& cmd, std::string& text, const std::string& description) {
  return cmd.add_option("--memory", text, description)
      ->type_name("SIZE")
      ->check([](const std::string& value) {
        std::string error;
        return parse_memory_size(value, error) ? std::string() : error;
      })
      ->capture_default_str();
}

size_t memory_bytes(const std::string& text) {
  std::string error;
  if (const std::optional<size_t> n = parse_memory_size(text, error)) return *n;
  throw input_error("--memory: " + error);
}

}  // namespace esdb::cli
