// Progress of long builds and merges on stderr: records, bytes and rate on
// one line redrawn in place. Shown only on a terminal, since in a log or a
// pipe the redrawn lines are noise, and never with --quiet. The one-line
// summary at the end is printed wherever stderr goes (unless --quiet): it
// is what a log of a nightly job wants to keep.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "esdb/esdb.h"

namespace esdb::cli {

class Progress {
 public:
  explicit Progress(bool quiet);

  // Cheap enough to call per record: looks at the clock every 4096 calls.
  void update(uint64_t records, uint64_t bytes) {
    if (enabled_ && (++calls_ & 4095) == 0) draw(records, bytes, false);
  }
  // For callers that already call rarely (MergeOptions::progress): looks at
  // the clock every time.
  void show(uint64_t records, uint64_t bytes) {
    if (enabled_) draw(records, bytes, false);
  }
  // Draws the final numbers and ends the line.
  void finish(uint64_t records, uint64_t bytes);
  // "esdb: wrote OUT: N events, K keys, B bytes in S s" unless quiet.
  void summary(const std::string& out, const FileStats& stats) const;

 private:
  void draw(uint64_t records, uint64_t bytes, bool last);

  bool quiet_;
  bool enabled_;
  bool drawn_ = false;
  uint64_t calls_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace esdb::cli
