// Standard output through one large buffer written with write(2): the
// commands print millions of short lines, and iostreams or stdio per line
// would cost more than reading the events.
#pragma once

#include <string>

namespace esdb::cli {

class Output {
 public:
  static constexpr size_t kFlushAt = 1u << 20;

  explicit Output(int fd = 1);
  ~Output();  // flushes; errors there are ignored (call flush() to see them)

  // Append to this, then call end_line().
  std::string& buf() { return buf_; }
  void end_line() {
    buf_ += '\n';
    if (buf_.size() >= kFlushAt) flush();
  }
  // Writes everything buffered. Throws CliError (exit 2) if stdout fails.
  void flush();

 private:
  int fd_;
  std::string buf_;
};

}  // namespace esdb::cli
