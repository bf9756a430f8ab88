// A second data set of small records (#16): JSON records of 60-90 bytes
// over 229 heavy-tailed keys (esdb_layouts' recipe), written by esdb with
// default options. Measures esdb's full scan in events/s and, in each of
// the same rounds (a shared machine's load falls on all alike), Snappy
// alone on the same per-key blocks, so that the scan's ceiling is visible.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "dataset.h"

namespace esdb::bench {

struct SmallRecords {
  uint64_t events = 0, keys = 0, data_bytes = 0, file_bytes = 0;
  int rounds = 0;
  double scan_seconds = 0;  // best round: Reader::keys() and every key's events
  uint64_t scan_check = 0;
  // Snappy decompression, best of the rounds, in MB/s of event data: of
  // the event data alone, cut per key and group before a block passes
  // chunk_size (as bench/reference.cc cuts), and of the bytes esdb's chunks
  // hold, each event's timestamp and length varints too (chunk.h).
  uint64_t blocks = 0, framed_bytes = 0;
  double snappy_mb_s = 0, framed_snappy_mb_s = 0;
};

// The events, deterministic.
Dataset small_records(uint64_t events);
// Writes `path` (removed after unless `keep`) and measures.
SmallRecords measure_small_records(uint64_t events, const std::string& path, int rounds, bool keep);
void print_small_records(const SmallRecords& s);
nlohmann::json small_records_json(const SmallRecords& s);

}  // namespace esdb::bench
