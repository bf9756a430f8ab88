#include "report.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

namespace esdb::bench {
namespace {

double per_s(uint64_t n, double seconds) { return seconds > 0 ? static_cast<double>(n) / seconds : 0; }
double mib(uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

void print_build(const Run& run, const std::vector<Result>& rows) {
  std::printf("%-13s %8s %8s %9s %10s %10s %8s %7s %10s\n", "system", "build_s", "cpu_s", "Kev/s", "MB/s_in",
              "RSS_MiB", "size_MiB", "B/ev", "ratio_raw");
  for (const Result& r : rows) {
    std::printf("%-13s %8.2f %8.2f %9.0f %10.1f %10.1f %8.1f %7.1f %10.3f%s%s\n", r.system.c_str(), r.build.seconds,
                r.build.cpu_seconds,
                per_s(run.events, r.build.seconds) / 1e3, per_s(run.raw_bytes, r.build.seconds) / 1e6,
                r.build.peak_delta_kib() / 1024.0, mib(r.file_bytes),
                static_cast<double>(r.file_bytes) / static_cast<double>(run.events),
                static_cast<double>(r.file_bytes) / static_cast<double>(run.raw_bytes), r.check == "ok" ? "" : "  ",
                r.check == "ok" ? "" : r.check.c_str());
  }
}

void print_reads(const std::vector<Result>& rows) {
  std::printf("%-13s %8s %8s %8s %8s %9s %9s %9s %9s %8s %9s %8s %s\n", "system", "open_us", "get_us", "get_p50",
              "get_p99", "get_Mev/s", "idx_us", "idx10_us", "new10_us", "miss_us", "scan_Mev/s", "scan_MB/s", "check");
  for (const Result& r : rows) {
    std::printf("%-13s %8.1f %8.2f %8.2f %8.2f %9.2f %9.2f %9.2f %9.2f %8.2f %9.2f %9.0f %s\n", r.system.c_str(),
                r.open_us, r.lookup.mean_us, r.lookup.p50_us, r.lookup.p99_us,
                per_s(r.lookup_events, r.lookup_seconds) / 1e6, r.index_all.mean_us, r.index_top10.mean_us,
                r.newest10.mean_us, r.missing.mean_us,
                per_s(r.scan_events, r.scan_seconds) / 1e6, per_s(r.scan_bytes, r.scan_seconds) / 1e6,
                r.check.c_str());
  }
}

const Result* find(const Run& run, const std::string& name) {
  for (const Result& r : run.systems) {
    if (r.system == name) return &r;
  }
  return nullptr;
}

nlohmann::json to_json(const Run& run, const Result& r) {
  const auto lat = [](const Latency& l) {
    return nlohmann::json{{"mean_us", l.mean_us}, {"p50_us", l.p50_us}, {"p99_us", l.p99_us}, {"count", l.count}};
  };
  nlohmann::json j{{"system", r.system},
                   {"build_seconds", r.build.seconds},
                   {"build_cpu_seconds", r.build.cpu_seconds},
                   {"build_events_per_s", per_s(run.events, r.build.seconds)},
                   {"build_input_mb_per_s", per_s(run.raw_bytes, r.build.seconds) / 1e6},
                   {"build_peak_rss_kib", r.build.peak_kib},
                   {"build_baseline_rss_kib", r.build.baseline_kib},
                   {"build_rss_kib", r.build.peak_delta_kib()},
                   {"file_bytes", r.file_bytes},
                   {"bytes_per_event", static_cast<double>(r.file_bytes) / static_cast<double>(run.events)},
                   {"ratio_to_raw", static_cast<double>(r.file_bytes) / static_cast<double>(run.raw_bytes)},
                   {"open_us", r.open_us},
                   {"lookup", lat(r.lookup)},
                   {"lookup_events_per_s", per_s(r.lookup_events, r.lookup_seconds)},
                   {"index_scan_all_newest_first", lat(r.index_all)},
                   {"index_scan_newest_10", lat(r.index_top10)},
                   {"newest_10", lat(r.newest10)},
                   {"missing_lookup", lat(r.missing)},
                   {"scan_events_per_s", per_s(r.scan_events, r.scan_seconds)},
                   {"scan_mb_per_s", per_s(r.scan_bytes, r.scan_seconds) / 1e6},
                   {"check", r.check}};
  if (r.chunk_size != 0) j["chunk_size"] = r.chunk_size;
  if (r.memory_budget != 0) {
    j["memory_budget"] = r.memory_budget;
    j["compression_threads"] = r.threads;
  }
  return j;
}

struct Ratios {
  double build = 0, build_cpu = 0, lookup = 0, size = 0, scan = 0, scan_per_key = 0;
  double scan_zstd = 0;  // esdb-zstd's full scan over the zstd per-key reference (goal >= 0.70)
  // esdb-cover's index scans over TrailDB's (goal <= 0.8), and its size over esdb's.
  double cover_idx = 0, cover_idx10 = 0, cover_size = 0;
  bool valid = false;
};

Ratios ratios(const Run& run) {
  Ratios q;
  const Result* e = find(run, "esdb");
  const Result* k = find(run, "rocksdb");
  if (e == nullptr) return q;
  if (run.reference.snappy_mb_s > 0) {
    q.scan = per_s(e->scan_bytes, e->scan_seconds) / 1e6 / run.reference.snappy_mb_s;
  }
  if (run.reference.snappy_per_key_mb_s > 0) {
    q.scan_per_key = per_s(e->scan_bytes, e->scan_seconds) / 1e6 / run.reference.snappy_per_key_mb_s;
  }
  const Result* z = find(run, "esdb-zstd");
  if (z != nullptr && run.reference.zstd_per_key_mb_s > 0) {
    q.scan_zstd = per_s(z->scan_bytes, z->scan_seconds) / 1e6 / run.reference.zstd_per_key_mb_s;
  }
  const Result* c = find(run, "esdb-cover");
  const Result* t = find(run, "traildb");
  if (c != nullptr) {
    q.cover_size = static_cast<double>(c->file_bytes) / static_cast<double>(e->file_bytes);
    if (t != nullptr && t->index_all.mean_us > 0 && t->index_top10.mean_us > 0) {
      q.cover_idx = c->index_all.mean_us / t->index_all.mean_us;
      q.cover_idx10 = c->index_top10.mean_us / t->index_top10.mean_us;
    }
  }
  if (k != nullptr) {
    q.build = k->build.seconds / e->build.seconds;
    q.build_cpu = k->build.cpu_seconds / e->build.cpu_seconds;
    q.lookup = k->lookup.mean_us / e->lookup.mean_us;
    q.size = static_cast<double>(e->file_bytes) / static_cast<double>(k->file_bytes);
    q.valid = true;
  }
  return q;
}

}  // namespace

void print(const Run& run) {
  std::printf("\nmachine: %s\ncommand: %s\ndata:    %s\n", run.machine.c_str(), run.command.c_str(),
              run.dataset.c_str());
  std::printf("         %llu events, %llu keys (largest %llu events), records %u..%u bytes, raw input %.1f MiB\n",
              static_cast<unsigned long long>(run.events), static_cast<unsigned long long>(run.keys),
              static_cast<unsigned long long>(run.max_key_events), run.min_record, run.max_record, mib(run.raw_bytes));
  std::printf("reads:   warm page cache; %llu random existing keys (get), the same keys newest-first for %s=%s "
              "(idx: all matches, idx10: newest 10; new10: newest 10 of any kind), as many missing keys; full scan best of 3; open: median of 11\n"
              "builds:  each in a forked child; RSS_MiB = peak RSS (wait4 ru_maxrss) less the child's RSS at fork; "
              "cpu_s = user+system of all its threads\nrounds:  %d (each figure: the best round)\n\n",
              static_cast<unsigned long long>(run.lookups), run.index_name.c_str(), run.index_value.c_str(), run.rounds);
  std::printf("== build and size\n");
  print_build(run, run.systems);
  std::printf("\n== reads (us per key)\n");
  print_reads(run.systems);
  const Reference& ref = run.reference;
  const auto share = [&](uint64_t n) {
    return ref.raw_bytes ? static_cast<double>(n) / static_cast<double>(ref.raw_bytes) : 0;
  };
  std::printf("reference: event data only, in file order, best of 3\n");
  std::printf("  snappy decompress, continuous %llu-byte blocks: %7.0f MB/s (%llu blocks, %.3f of raw)\n",
              static_cast<unsigned long long>(ref.chunk_size), ref.snappy_mb_s,
              static_cast<unsigned long long>(ref.blocks), share(ref.compressed_bytes));
  std::printf("  snappy decompress, per-key blocks (as esdb cuts): %7.0f MB/s (%llu blocks, %.3f of raw)\n",
              ref.snappy_per_key_mb_s, static_cast<unsigned long long>(ref.per_key_blocks),
              share(ref.per_key_compressed_bytes));
  std::printf("  zstd -%d decompress, the same per-key blocks:     %7.0f MB/s (%.3f of raw)\n", ref.zstd_level,
              ref.zstd_per_key_mb_s, share(ref.zstd_per_key_compressed_bytes));
  std::printf("  memcpy:                                          %7.0f MB/s\n", ref.memcpy_mb_s);
  if (!run.sweep.empty()) {
    std::printf("\n== esdb chunk-size sweep\n");
    print_build(run, run.sweep);
    print_reads(run.sweep);
  }
  if (!run.builds.empty()) {
    std::printf("\n== esdb writer memory budget (and one thread: compression_threads=0), build only\n");
    print_build(run, run.builds);
  }
  const Ratios q = ratios(run);
  std::printf("\n== goal ratios\n");
  if (q.valid) {
    std::printf("build speed esdb/rocksdb   %.2fx (goal >= 2); by CPU time %.2fx\n", q.build, q.build_cpu);
    std::printf("lookup speed esdb/rocksdb  %.2fx (goal >= 2)\n", q.lookup);
    std::printf("size esdb/rocksdb          %.3f (goal <= 1)\n", q.size);
  }
  std::printf("scan esdb/snappy           %.2f (goal >= 0.70); against per-key blocks %.2f\n", q.scan, q.scan_per_key);
  if (q.scan_zstd > 0) std::printf("scan esdb-zstd/zstd        %.2f (goal >= 0.70; per-key blocks)\n", q.scan_zstd);
  if (q.cover_idx > 0) {
    std::printf("idx esdb-cover/traildb     %.2fx, idx10 %.2fx (goal <= 0.8); file %.3f of esdb's\n", q.cover_idx,
                q.cover_idx10, q.cover_size);
  }
  if (run.small_records.events != 0) print_small_records(run.small_records);
}

void write_json(const Run& run, const std::string& path) {
  nlohmann::json j{{"command", run.command},
                   {"machine", run.machine},
                   {"dataset", run.dataset},
                   {"events", run.events},
                   {"keys", run.keys},
                   {"raw_bytes", run.raw_bytes},
                   {"data_bytes", run.data_bytes},
                   {"largest_key_events", run.max_key_events},
                   {"record_bytes_min", run.min_record},
                   {"record_bytes_max", run.max_record},
                   {"index_scan", {{"name", run.index_name}, {"value", run.index_value}}},
                   {"lookups", run.lookups},
                   {"page_cache", "warm"},
                   {"rounds", run.rounds}};
  for (const Result& r : run.systems) j["systems"].push_back(to_json(run, r));
  for (const Result& r : run.sweep) j["chunk_size_sweep"].push_back(to_json(run, r));
  for (const Result& r : run.builds) {
    nlohmann::json b = to_json(run, r);
    for (const char* read_only : {"open_us", "lookup", "lookup_events_per_s", "index_scan_all_newest_first",
                                  "index_scan_newest_10", "missing_lookup", "scan_events_per_s", "scan_mb_per_s"}) {
      b.erase(read_only);
    }
    j["memory_budget_sweep"].push_back(b);
  }
  j["reference"] = {{"chunk_size", run.reference.chunk_size},
                    {"raw_bytes", run.reference.raw_bytes},
                    {"snappy_compressed_bytes", run.reference.compressed_bytes},
                    {"snappy_blocks", run.reference.blocks},
                    {"snappy_decompress_mb_per_s", run.reference.snappy_mb_s},
                    {"snappy_per_key_compressed_bytes", run.reference.per_key_compressed_bytes},
                    {"snappy_per_key_blocks", run.reference.per_key_blocks},
                    {"snappy_per_key_decompress_mb_per_s", run.reference.snappy_per_key_mb_s},
                    {"memcpy_mb_per_s", run.reference.memcpy_mb_s},
                    {"zstd_level", run.reference.zstd_level},
                    {"zstd_per_key_compressed_bytes", run.reference.zstd_per_key_compressed_bytes},
                    {"zstd_per_key_decompress_mb_per_s", run.reference.zstd_per_key_mb_s}};
  const Ratios q = ratios(run);
  if (run.small_records.events != 0) j["small_records"] = small_records_json(run.small_records);
  j["ratios"] = {{"scan_esdb_over_snappy", q.scan}, {"scan_esdb_over_snappy_per_key", q.scan_per_key}};
  if (q.scan_zstd > 0) j["ratios"]["scan_esdb_zstd_over_zstd_per_key"] = q.scan_zstd;
  if (q.valid) {
    j["ratios"]["build_speed_esdb_over_rocksdb"] = q.build;
    j["ratios"]["build_cpu_esdb_over_rocksdb"] = q.build_cpu;
    j["ratios"]["lookup_speed_esdb_over_rocksdb"] = q.lookup;
    j["ratios"]["size_esdb_over_rocksdb"] = q.size;
  }
  std::ofstream(path) << j.dump(2) << "\n";
}

}  // namespace esdb::bench
