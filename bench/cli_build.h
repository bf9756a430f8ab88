// End to end: the `esdb build` command on the benchmark's JSON lines (the
// process, from reading the text to the renamed file), beside `zstd -1 -T1`
// compressing the same bytes, timed in the same run. zstd is the reference
// for "the speed of the input": one core reading, transforming and writing
// every byte once at its fastest setting.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace esdb::bench {

struct ProcessRun {
  double seconds = 0;      // wall time
  double cpu_seconds = 0;  // user + system, all threads (wait4)
  uint64_t output_bytes = 0;
};

struct EndToEnd {
  uint64_t input_bytes = 0;
  ProcessRun esdb;          // esdb build, default threads
  ProcessRun esdb_one;      // esdb build --threads 1
  ProcessRun zstd;          // zstd -1 -T1 of each input
};

// Runs each command `rounds` times, in turn; the fastest round of each counts.
// `build_flags` are esdb build's (--key ...). Throws if a command fails.
EndToEnd measure_end_to_end(const std::string& tool, const std::vector<std::string>& inputs,
                            const std::vector<std::string>& build_flags, const std::string& dir, int rounds);

void print_end_to_end(const EndToEnd& e);

}  // namespace esdb::bench
