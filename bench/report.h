// The figures of one run: per system, the esdb chunk-size sweep and the
// physical references; printed as tables and written as JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "measure.h"
#include "reference.h"
#include "small_records.h"

namespace esdb::bench {

struct Result {
  std::string system;
  uint64_t chunk_size = 0;  // esdb only
  uint64_t memory_budget = 0;  // esdb only
  int threads = -1;            // esdb only: WriterOptions::compression_threads
  ChildBuild build;
  uint64_t file_bytes = 0;
  double open_us = 0;
  Latency lookup;
  uint64_t lookup_events = 0;
  double lookup_seconds = 0;
  Latency index_all;    // every matching event of the key, newest first
  Latency index_top10;  // the newest 10 matching events
  Latency newest10;     // the newest 10 events of the key, any kind (#16)
  Latency missing;
  double scan_seconds = 0;  // best run
  uint64_t scan_events = 0, scan_bytes = 0;
  std::string check = "ok";  // agreement with the first system's reads
};

struct Run {
  std::string command;
  std::string machine;
  std::string dataset;
  uint64_t events = 0, keys = 0, raw_bytes = 0, data_bytes = 0;
  uint64_t max_key_events = 0;
  uint32_t min_record = 0, max_record = 0;
  std::string index_name, index_value;
  uint64_t lookups = 0, index_scans = 0;
  int rounds = 1;
  std::vector<Result> systems;  // esdb (default chunk size) first
  std::vector<Result> sweep;    // esdb per chunk size
  std::vector<Result> builds;   // esdb default, then per memory budget and with one thread (build only)
  Reference reference;
  SmallRecords small_records;  // events == 0: not measured
};

void print(const Run& run);
void write_json(const Run& run, const std::string& path);

}  // namespace esdb::bench
