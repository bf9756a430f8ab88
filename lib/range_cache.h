// The bounded block cache of a remote file: the ranges fetched so far, least
// recently used evicted first once their bytes pass the capacity. Entries
// are Windows, so an evicted range lives on while a key dir or scan holds it.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <mutex>

#include "byte_source.h"

namespace esdb::detail {

class RangeCache {
 public:
  explicit RangeCache(uint64_t capacity) : capacity_(capacity) {}
  // A cached Window covering [offset, offset + n), if any.
  bool find(uint64_t offset, uint64_t n, Window& out);
  void insert(const Window& w);

 private:
  std::mutex mu_;
  std::list<Window> lru_;  // most recent first
  std::multimap<uint64_t, std::list<Window>::iterator> by_begin_;
  uint64_t bytes_ = 0;
  uint64_t capacity_;
};

}  // namespace esdb::detail
