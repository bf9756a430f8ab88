#include "time_ordered_scan.h"

#include <algorithm>

namespace esdb::cli {

template <class K>
void TimeOrderedScan::open(const K& key, const std::vector<std::string_view>& groups, const ScanOptions& options) {
  if (options.group || groups.size() <= 1) {
    scans_.push_back(key.scan(options));
    return;
  }
  ScanOptions one = options;
  for (std::string_view g : groups) {
    one.group = g;
    scans_.push_back(key.scan(one));
  }
}

TimeOrderedScan::TimeOrderedScan(const Key& key, const ScanOptions& options) : reverse_(options.reverse) {
  std::vector<std::string_view> groups;
  // Views into the key's directory, alive while `key` is.
  for (const GroupInfo& g : key.groups()) groups.push_back(g.name);
  open(key, groups, options);
}

TimeOrderedScan::TimeOrderedScan(const MultiKey& key, const ScanOptions& options) : reverse_(options.reverse) {
  std::vector<std::string_view> groups;
  for (const MultiKey::Part& part : key.parts()) {
    for (const GroupInfo& g : part.key.groups()) groups.push_back(g.name);
  }
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  open(key, groups, options);
}

TimeOrderedScan::TimeOrderedScan(const DirKey& key, const ScanOptions& options) : reverse_(options.reverse) {
  const std::vector<std::string_view> groups(key.groups().begin(), key.groups().end());
  open(key, groups, options);
}

bool TimeOrderedScan::before(size_t a, size_t b) const {
  const int64_t ta = scans_[a].event().timestamp, tb = scans_[b].event().timestamp;
  if (ta != tb) return reverse_ ? ta > tb : ta < tb;
  return reverse_ ? a > b : a < b;
}

bool TimeOrderedScan::next() {
  if (scans_.size() == 1) return scans_[0].next();
  // std heap functions keep the greatest on top; "greatest" = comes first.
  auto later = [this](size_t a, size_t b) { return before(b, a); };
  if (!started_) {
    started_ = true;
    for (size_t i = 0; i < scans_.size(); ++i) {
      if (scans_[i].next()) heap_.push_back(i);
    }
    std::make_heap(heap_.begin(), heap_.end(), later);
  } else {
    // Advance the scan whose event was handed out last.
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
    if (scans_[current_].next()) {
      heap_.push_back(current_);
      std::push_heap(heap_.begin(), heap_.end(), later);
    }
  }
  if (heap_.empty()) return false;
  current_ = heap_.front();
  return true;
}

}  // namespace esdb::cli
