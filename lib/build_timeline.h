// A build's per-thread timeline, for finding its critical path (#12): with
// ESDB_BUILD_TIMELINE set in the environment, each stage boundary of
// Writer::finish, the Sorter and the compression workers prints one line to
// stderr:
//
//   timeline <wall ms since the first mark> <this thread's CPU ms> <thread> <what>
//
// Between two marks of one thread, wall less CPU is the time that thread
// waited (or was not scheduled). Unset, a mark costs one load and a branch.
#pragma once

namespace esdb::timeline {

bool enabled();
// `thread` and `what` are string literals.
void mark(const char* thread, const char* what);
// Prints `what` with a figure in ms (a WaitTotal's) instead of a stage.
void report(const char* thread, const char* what, double ms);
double now_ms();

// Adds up the wall time one thread spends blocked at one place.
class WaitTotal {
 public:
  void begin() {
    if (enabled()) started_ = now_ms();
  }
  void end() {
    if (enabled()) total_ += now_ms() - started_;
  }
  double total_ms() const { return total_; }

 private:
  double started_ = 0, total_ = 0;
};

}  // namespace esdb::timeline
