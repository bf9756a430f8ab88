// Puts the writer's events in file order, (key, group, timestamp, order of
// add), within a memory budget: events are buffered until the budget is
// reached, then sorted and spilled as a run to an anonymous temporary file
// beside the output; drain() merges the runs (and what is still buffered).
//
//   event record := key: varint len + bytes | group: varint len + bytes
//                 | ts: fixed64 | rest_len: varint | rest
//   rest         := index_count: varint | (name, value: varint len + bytes)*
//                 | data: varint len + bytes
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "esdb/esdb.h"

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
  Sorter(std::string near_path, size_t memory_budget);
  ~Sorter();
  void add(const EventInput& e);
  // Calls `fn` for every event in file order. The views live for one call.
  void drain(const std::function<void(const SortedEvent&)>& fn);
  size_t spilled_runs() const { return runs_.size(); }

 private:
  struct Entry {
    const char* record;  // key | group | rest
    uint64_t prefix[2];  // the key's first 16 bytes, big-endian, zero-padded
    int64_t ts;
    uint64_t rest_len;
    uint32_t key_len;
    uint32_t group_len;
    uint32_t seq;  // order of add within the buffer
  };
  static bool before(const Entry& a, const Entry& b);
  class Run;
  class RunWriter;
  struct SpillFile;
  void sort_buffer();
  void merge_runs(std::span<std::unique_ptr<Run>> runs, const std::function<void(const Run&)>& fn);
  void spill();
  char* allocate(size_t n);

  std::string near_path_;
  size_t budget_;
  size_t buffered_ = 0;
  std::vector<std::unique_ptr<char[]>> arena_;
  size_t arena_used_ = 0;  // blocks of arena_ in use; the rest wait for reuse
  size_t big_blocks_ = 0;
  size_t arena_left_ = 0;
  char* arena_next_ = nullptr;
  std::vector<Entry> entries_;
  std::shared_ptr<SpillFile> spill_file_;
  std::vector<std::unique_ptr<Run>> runs_;
  std::string scratch_;
};

}  // namespace esdb
