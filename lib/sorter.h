// Puts the writer's events in file order, (key, group, timestamp, order of
// add), within a memory budget: events are buffered until the budget is
// reached, then sorted and spilled as a run to an anonymous temporary file
// beside the output; drain() merges the runs (and what is still buffered).
// With `background`, the budget is split between two buffers: while one is
// sorted and spilled on a second thread, add() fills the other. Run
// boundaries then differ, the merged order does not. drain() then merges the
// runs on a thread of its own too, handing batches of merged records
// (batch_queue.h) to the caller's thread, so merging and encoding overlap.
// The last buffer is merged from memory rather than spilled when the budget
// allows (drain()).
//
//   event record := key: varint len + bytes | group: varint len + bytes
//                 | ts: fixed64 | rest_len: varint | rest
//   rest         := index_count: varint | (name, value: varint len + bytes)*
//                 | data: varint len + bytes
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "esdb/esdb.h"
#include "sort_buffer.h"

namespace esdb {

struct SortedEvent {
  std::string_view key;
  std::string_view group;
  int64_t timestamp;
  std::string_view data;
  std::span<const IndexEntry> indexes;
};

class Sorter {
 public:
  Sorter(std::string near_path, size_t memory_budget, bool background = false);
  ~Sorter();
  void add(const EventInput& e);
  // Calls `fn` for every event in file order. The views live for one call.
  // `idle`, if given, is called instead of waiting for the background
  // merge while it returns true (it did some other work meanwhile).
  void drain(const std::function<void(const SortedEvent&)>& fn, const std::function<bool()>& idle = {});
  // Runs spilled so far, counting one still being written.
  size_t spilled_runs() const { return runs_.size() + (pending_.valid() ? 1 : 0); }
  // After drain(): whether the last buffer was merged from memory rather
  // than spilled (it is when the read windows can spare its memory).
  bool merged_last_buffer_in_memory() const { return last_in_memory_; }

 private:
  class Run;
  class RunWriter;
  struct SpillFile;
  // Merges `runs`, reading each through a window of its share of `budget`.
  void merge_runs(std::span<std::unique_ptr<Run>> runs, size_t budget, const std::function<void(const Run&)>& fn);
  void merge_in_background(const std::function<void(const SortedEvent&)>& fn, const std::function<bool()>& idle,
                           size_t window_budget);
  void spill();
  // Sorts `b`, writes it as run `index` and empties it.
  std::unique_ptr<Run> write_run(SortBuffer& b, size_t index, const char* thread);
  // Waits for the spill in the background, if any, and takes its run.
  void wait_pending();

  std::string near_path_;
  size_t budget_;
  bool background_;
  size_t buffer_budget_;  // per buffer
  SortBuffer buffers_[2];
  SortBuffer* filling_ = &buffers_[0];
  std::shared_ptr<SpillFile> spill_file_;
  std::vector<std::unique_ptr<Run>> runs_;
  bool last_in_memory_ = false;
  // Last: its destructor waits for the spill thread, which uses the rest.
  std::future<std::unique_ptr<Run>> pending_;
};

}  // namespace esdb
