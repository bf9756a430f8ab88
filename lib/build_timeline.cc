#include "build_timeline.h"

#include <time.h>

#include <cstdio>
#include <cstdlib>

namespace esdb::timeline {

static double ms(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

bool enabled() {
  static const bool on = std::getenv("ESDB_BUILD_TIMELINE") != nullptr;
  return on;
}

double now_ms() { return ms(CLOCK_MONOTONIC); }

void report(const char* thread, const char* what, double figure_ms) {
  if (!enabled()) return;
  std::fprintf(stderr, "waited %9.1f %-8s %s\n", figure_ms, thread, what);
}

void mark(const char* thread, const char* what) {
  if (!enabled()) return;
  static const double start = ms(CLOCK_MONOTONIC);
  // One fprintf per line: stderr is unbuffered, and a single call keeps
  // lines from different threads whole.
  std::fprintf(stderr, "timeline %9.1f %9.1f %-8s %s\n", ms(CLOCK_MONOTONIC) - start, ms(CLOCK_THREAD_CPUTIME_ID),
               thread, what);
}

}  // namespace esdb::timeline
