// How a command fails: an exit code and a message for stderr.
//
// Exit codes are part of the interface scripts rely on:
//   0  success
//   1  not found (a missing key) or verify found problems
//   2  usage or input error (bad flags, bad record, unreadable or corrupt file)
#pragma once

#include <stdexcept>
#include <string>

namespace esdb::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNotFound = 1;
inline constexpr int kExitInput = 2;

class CliError : public std::runtime_error {
 public:
  // An empty message exits with the code and prints nothing.
  explicit CliError(int exit_code, const std::string& message = "")
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// The usual case: bad input or usage, already prefixed with file and line.
inline CliError input_error(const std::string& message) { return CliError(kExitInput, message); }

}  // namespace esdb::cli
