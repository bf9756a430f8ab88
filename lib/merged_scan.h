// Several scans of one key merged lazily into one: by (group, timestamp),
// equal ones in the order the scans are given; a reverse merge (of reverse
// scans) is the exact mirror. MultiReader merges a key's parts across files
// with it, and an archive directory its sealed files and logs.
#pragma once

#include <algorithm>
#include <vector>

#include "esdb/esdb.h"
#include "scan_state.h"

namespace esdb::detail {

class MergedScan final : public EventSource {
 public:
  MergedScan(std::vector<Scan> scans, bool reverse) : scans_(std::move(scans)), reverse_(reverse) {
    for (size_t i = 0; i < scans_.size(); i++) {
      if (scans_[i].next()) heap_.push_back(i);
    }
    std::make_heap(heap_.begin(), heap_.end(), order());
  }

  bool next() override {
    if (top_ != kNone) {  // advance the scan that produced the last event
      if (scans_[top_].next()) {
        heap_.push_back(top_);
        std::push_heap(heap_.begin(), heap_.end(), order());
      }
      top_ = kNone;
    }
    if (heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), order());
    top_ = heap_.back();
    heap_.pop_back();
    return true;
  }
  const Event& event() const override { return scans_[top_].event(); }

 private:
  // std heaps put the greatest on top, so "less" means "comes later".
  struct Order {
    const MergedScan* m;
    bool operator()(size_t a, size_t b) const {
      const Event& x = m->scans_[a].event();
      const Event& y = m->scans_[b].event();
      int c = x.group.compare(y.group);
      if (c == 0) c = x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : 0;
      if (c == 0) c = a < b ? -1 : a > b ? 1 : 0;
      return m->reverse_ ? c < 0 : c > 0;
    }
  };
  Order order() const { return Order{this}; }

  static constexpr size_t kNone = ~size_t{0};
  std::vector<Scan> scans_;
  bool reverse_;
  std::vector<size_t> heap_;
  size_t top_ = kNone;
};

}  // namespace esdb::detail
