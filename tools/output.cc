#include "output.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cli_error.h"

namespace esdb::cli {

Output::Output(int fd) : fd_(fd) { buf_.reserve(kFlushAt + 64 * 1024); }

Output::~Output() {
  try {
    flush();
  } catch (...) {
  }
}

void Output::flush() {
  size_t done = 0;
  while (done < buf_.size()) {
    const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      buf_.clear();  // nothing more can be written; do not retry in the destructor
      throw CliError(kExitInput, std::string("standard output: ") + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  buf_.clear();
}

}  // namespace esdb::cli
