// --memory for build and merge: a size with an optional K, M, G or T suffix
// (binary units, either case); a plain number means MiB, as it always has,
// so existing scripts keep working.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace esdb::cli {

inline constexpr size_t kMinMemory = size_t{1} << 10;  // 1K
inline constexpr size_t kMaxMemory = size_t{1} << 40;  // 1T

// Bytes for "512K", "1G", "256"...; nullopt with `error` set when the text is
// not a size or is outside [1K, 1T].
std::optional<size_t> parse_memory_size(std::string_view text, std::string& error);

// Adds --memory SIZE to `cmd`, checked while the command line is parsed, so
// a bad size is a usage error (exit 2). `text` keeps the value as given.
CLI::Option* add_memory_option(CLI::App& cmd, std::string& text, const std::string& description);

// The bytes of a value add_memory_option has already checked.
size_t memory_bytes(const std::string& text);

}  // namespace esdb::cli
