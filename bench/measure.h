// Clocks, latency summaries, and building in a forked child so that each
// builder's peak RSS is its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace esdb::bench {

inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Mean and percentiles of per-operation times, in microseconds.
struct Latency {
  double mean_us = 0, p50_us = 0, p99_us = 0;
  uint64_t count = 0;
  static Latency of(std::vector<double> seconds);
};

struct ChildBuild {
  double seconds = 0;          // wall time of the build function
  uint64_t baseline_kib = 0;   // child RSS before building (the inherited input)
  uint64_t peak_kib = 0;       // ru_maxrss of the child (wait4)
  double cpu_seconds = 0;      // user + system time of the child, all its threads (wait4)
  uint64_t peak_delta_kib() const { return peak_kib > baseline_kib ? peak_kib - baseline_kib : 0; }
};

// Runs `build` in a forked child and waits for it. The child shares the
// parent's pages (the dataset), so its RSS before the build is recorded and
// subtracted. Throws with the child's message if `build` threw. Call only
// while the process has one thread (LevelDB and RocksDB start background
// threads that a forked child would not have).
ChildBuild build_in_child(const std::function<void()>& build);

// Bytes of a file, or of every file under a directory.
uint64_t disk_bytes(const std::string& path);
// Reads every file under `path` once so that the page cache holds it.
void warm(const std::string& path);
void remove_all(const std::string& path);

}  // namespace esdb::bench
