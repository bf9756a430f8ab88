// Runs fn(0..n-1) on up to `threads` threads (the caller's included) and
// rethrows the first exception. For work that waits on the network (a
// multi-file lookup over HTTP), so a handful of threads is plenty; local
// files never come here.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace esdb::detail {

template <typename Fn>
void parallel_for(size_t n, size_t threads, Fn&& fn) {
  std::atomic<size_t> next{0};
  std::exception_ptr first;
  std::mutex mu;
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!first) first = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  const size_t extra = std::min(n, std::max<size_t>(threads, 1)) - (n > 0 ? 1 : 0);
  pool.reserve(extra);
  for (size_t t = 0; t < extra; t++) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (first) std::rethrow_exception(first);
}

}  // namespace esdb::detail
