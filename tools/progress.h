// Progress of long builds and merges on stderr: records, bytes and rate on
// one line redrawn in place. Shown only on a terminal, since in a log or a
// pipe the redrawn lines are noise, and never with --quiet.
#pragma once

#include <chrono>
#include <cstdint>

namespace esdb::cli {

class Progress {
 public:
  explicit Progress(bool quiet);

  // Cheap enough to call per record: looks at the clock every 4096 calls.
  void update(uint64_t records, uint64_t bytes) {
    if (enabled_ && (++calls_ & 4095) == 0) draw(records, bytes, false);
  }
  // Draws the final numbers and ends the line.
  void finish(uint64_t records, uint64_t bytes);

 private:
  void draw(uint64_t records, uint64_t bytes, bool last);

  bool enabled_;
  bool drawn_ = false;
  uint64_t calls_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace esdb::cli
