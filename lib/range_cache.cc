#include "range_cache.h"

namespace esdb::detail {

// Ranges rarely overlap (a bucket, a key's region), so a covering range is
// among the few that begin at or before the offset; looking further back is
// not worth it: a miss only costs a fetch.
static constexpr int kLookBehind = 8;

bool RangeCache::find(uint64_t offset, uint64_t n, Window& out) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_begin_.upper_bound(offset);
  for (int i = 0; i < kLookBehind && it != by_begin_.begin(); i++) {
    --it;
    if (it->second->covers(offset, n)) {
      lru_.splice(lru_.begin(), lru_, it->second);
      out = *it->second;
      return true;
    }
  }
  return false;
}

void RangeCache::insert(const Window& w) {
  const uint64_t size = w.end - w.begin;
  if (size > capacity_) return;
  std::lock_guard<std::mutex> lock(mu_);
  lru_.push_front(w);
  by_begin_.emplace(w.begin, lru_.begin());
  bytes_ += size;
  while (bytes_ > capacity_) {
    const Window& old = lru_.back();
    auto range = by_begin_.equal_range(old.begin);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == std::prev(lru_.end())) {
        by_begin_.erase(it);
        break;
      }
    }
    bytes_ -= old.end - old.begin;
    lru_.pop_back();
  }
}

}  // namespace esdb::detail
