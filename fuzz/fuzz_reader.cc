// fuzz_reader: any bytes, opened as an esdb file, then every read operation
// (reader_ops.h: key lookups, forward and reverse scans, group, index and
// time-range scans, index values, key listing, verify).
//
// Each input runs twice:
//   1. with the real checksums (format/checksum.cc behaviour), so the
//      checksum checks themselves and every path behind a valid checksum are
//      fuzzed as a reader meets them; mutations of the seeds mostly stop
//      here at the first checksum they break;
//   2. with checksums trusted (trusting_checksum.h), so mutations reach the
//      structural checks behind them. A hostile file can carry valid
//      checksums (anyone can compute XXH3), so the reader must be safe on
//      structure alone.
// The second run costs little on inputs the first rejects early, and one
// binary keeps one corpus for both.
//
// The bytes go to a memfd, which the reader opens through /proc/self/fd like
// any path (no file is left behind); the reader is then pointed at an
// exact-size heap copy so AddressSanitizer catches a read one byte past the
// end.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/reader_ops.h"
#include "fuzz/trusting_checksum.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("fuzz_reader.esdb", MFD_CLOEXEC);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0) {
    std::perror("memfd_create");
    std::abort();
  }
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
  uint64_t sum = 0;
  for (bool trust : {false, true}) {
    esdb::fuzz::trust_checksums = trust;
    sum += esdb::fuzz::exercise_reader(path, {.heap_copy = true});
  }
  volatile uint64_t sink = sum;
  (void)sink;
  return 0;
}
