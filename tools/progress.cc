#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace esdb::cli {

Progress::Progress(bool quiet)
    : quiet_(quiet),
      enabled_(!quiet && ::isatty(2) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void Progress::draw(uint64_t records, uint64_t bytes, bool last) {
  const auto now = std::chrono::steady_clock::now();
  if (!last && now - last_draw_ < std::chrono::milliseconds(250)) return;
  last_draw_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double mib = static_cast<double>(bytes) / (1024.0 * 1024.0);
  std::fprintf(stderr, "\r%llu records, %.1f MiB, %.1f MiB/s ",
               static_cast<unsigned long long>(records), mib, secs > 0 ? mib / secs : 0.0);
  drawn_ = true;
}

void Progress::finish(uint64_t records, uint64_t bytes) {
  if (!enabled_ || !drawn_) return;  // short jobs finish silently
  draw(records, bytes, true);
  std::fputc('\n', stderr);
}

void Progress::summary(const std::string& out, const FileStats& stats) const {
  if (quiet_) return;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "esdb: wrote %s: %llu events, %llu keys, %llu bytes in %.2f s\n", out.c_str(),
               static_cast<unsigned long long>(stats.event_count), static_cast<unsigned long long>(stats.key_count),
               static_cast<unsigned long long>(stats.file_size), secs);
}

}  // namespace esdb::cli
