// esdb_bench: esdb and its peers (RocksDB, LevelDB, TrailDB) build from the
// same events and answer the same reads; see BENCHMARKS.md.
//
//   esdb_bench                       # generated data, a few million events
//   esdb_bench --small               # seconds; what CI runs
//   esdb_bench --input events.jsonl --key customer --time ts --index type
//
// Every build runs in a forked child (its own peak RSS); then the parent
// opens each result and measures reads with the page cache warm.
#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_map>

#include "cli_build.h"
#include "dataset.h"
#include "measure.h"
#include "reference.h"
#include "report.h"
#include "system.h"

namespace esdb::bench {
namespace {

struct Args {
  bool small = false;
  GeneratorOptions gen;
  InputOptions input;
  std::string dir, json, write_jsonl;
  uint64_t lookups = 20000;
  std::vector<std::string> systems{"esdb", "rocksdb", "leveldb", "traildb"};
  std::vector<uint64_t> sweep{4096, 8192, 16384, 32768, 65536, 131072};
  std::vector<uint64_t> budgets{16, 64, 256};  // MiB
  bool no_sweep = false, keep = false;
  bool no_cli = false;  // skip the end-to-end esdb build / zstd case
  uint64_t small_records = 3'000'000;  // events of the small-record data set (#16); 0 skips it
  int rounds = 2;
};

std::string machine() {
  std::string cpu = "?";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  struct utsname u {};
  uname(&u);
  return cpu + ", " + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " cores, " +
         std::to_string(static_cast<long long>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE) >> 30) + " GiB, " +
         u.sysname + " " + u.release;
}

// A small seeded stream for choosing sample keys (not the generator's).
struct Pick {
  uint64_t s;
  uint64_t below(uint64_t n) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (z ^ (z >> 31)) % n;
  }
};

void add_sink(Sink& total, const Sink& s) {
  total.events += s.events;
  total.bytes += s.bytes;
  total.check += s.check;
}

struct Sums {
  Sink lookup, index_all, index_top10, scan;
  Sink newest10;
};

Result measure_reads(System& sys, const std::string& path, const Run& run, const std::vector<std::string>& keys,
                     Sums& sums) {
  Result r;
  r.system = sys.name();
  warm(sys.output(path));
  // Open time: the median of 11 opens (close is not timed).
  std::vector<double> opens;
  for (int i = 0; i < 11; ++i) {
    const double t0 = now_seconds();
    sys.open(path);
    opens.push_back(now_seconds() - t0);
    sys.close();
  }
  r.open_us = Latency::of(opens).p50_us;
  sys.open(path);

  std::vector<double> times;
  times.reserve(keys.size());
  for (const std::string& k : keys) {
    Sink s;
    const double a = now_seconds();
    const bool found = sys.history(k, s);
    times.push_back(now_seconds() - a);
    if (!found) r.check = "lookup missed " + k;
    add_sink(sums.lookup, s);
  }
  r.lookup = Latency::of(times);
  r.lookup_events = sums.lookup.events;
  for (double t : times) r.lookup_seconds += t;

  const auto index_pass = [&](uint64_t limit, Sink& total) {
    times.clear();
    for (size_t i = 0; i < run.index_scans; ++i) {
      Sink s;
      const double a = now_seconds();
      sys.index_scan(keys[i], run.index_name, run.index_value, limit, s);
      times.push_back(now_seconds() - a);
      add_sink(total, s);
    }
    return Latency::of(times);
  };
  if (!run.index_name.empty()) {
    r.index_all = index_pass(std::numeric_limits<uint64_t>::max(), sums.index_all);
    r.index_top10 = index_pass(10, sums.index_top10);
  }
  // The newest 10 events of the same keys, any kind (#16's row beside idx10).
  times.clear();
  for (size_t i = 0; i < run.index_scans; ++i) {
    Sink s;
    const double a = now_seconds();
    sys.newest(keys[i], 10, s);
    times.push_back(now_seconds() - a);
    add_sink(sums.newest10, s);
  }
  r.newest10 = Latency::of(times);

  times.clear();
  std::string missing;
  for (const std::string& k : keys) {
    missing = k + "-missing";
    Sink s;
    const double a = now_seconds();
    const bool found = sys.history(missing, s);
    times.push_back(now_seconds() - a);
    if (found) r.check = "found missing key " + missing;
  }
  r.missing = Latency::of(times);

  r.scan_seconds = std::numeric_limits<double>::max();
  for (int i = 0; i < 3; ++i) {
    Sink s;
    const double a = now_seconds();
    sys.full_scan(s);
    r.scan_seconds = std::min(r.scan_seconds, now_seconds() - a);
    r.scan_events = s.events;
    r.scan_bytes = s.bytes;
    if (i == 0) sums.scan = s;
  }
  sys.close();
  return r;
}

// Marks where a system's reads disagree with the first system's.
void compare(Result& r, const Sums& mine, const Sums& first) {
  if (r.check != "ok") return;
  const auto same = [](const Sink& a, const Sink& b) {
    return a.events == b.events && a.bytes == b.bytes && a.check == b.check;
  };
  if (!same(mine.lookup, first.lookup)) r.check = "lookups differ";
  else if (!same(mine.index_all, first.index_all)) r.check = "index scans differ";
  else if (!same(mine.scan, first.scan)) r.check = "scan differs";
  else if (mine.index_top10.events != first.index_top10.events) r.check = "newest-10 counts differ";
  else if (mine.newest10.events != first.newest10.events) r.check = "newest-10 (any) counts differ";
}

int run(const Args& a, const std::string& command) {
  Run run;
  run.command = command;
  run.rounds = a.rounds;
  run.machine = machine();
  const double g0 = now_seconds();
  Dataset d = a.input.paths.empty() ? generate(a.gen) : load(a.input);
  std::fprintf(stderr, "esdb_bench: %zu events ready in %.1f s\n", d.events().size(), now_seconds() - g0);
  if (d.events().empty()) throw std::runtime_error("no events");
  if (!a.write_jsonl.empty()) {
    std::ofstream out(a.write_jsonl, std::ios::binary);
    for (const auto& e : d.events()) out << d.data(e) << '\n';
    std::fprintf(stderr, "esdb_bench: wrote %s\n", a.write_jsonl.c_str());
  }
  run.dataset = d.describe;
  run.events = d.events().size();
  run.keys = d.keys().size();
  run.raw_bytes = d.raw_bytes();
  run.data_bytes = d.data_bytes();
  run.min_record = std::numeric_limits<uint32_t>::max();
  std::vector<uint64_t> per_key(d.keys().size());
  for (const auto& e : d.events()) {
    run.min_record = std::min(run.min_record, e.data_size);
    run.max_record = std::max(run.max_record, e.data_size);
    run.max_key_events = std::max(run.max_key_events, ++per_key[e.key]);
  }
  run.index_name = d.scan_index_name;
  run.index_value = d.scan_index_value;

  // The same random existing keys for every system.
  Pick pick{a.gen.seed ^ 0x5eed};
  std::vector<std::string> keys;
  for (uint64_t i = 0; i < a.lookups; ++i) keys.push_back(d.keys()[pick.below(d.keys().size())]);
  run.lookups = keys.size();
  run.index_scans = keys.size() / 2;

  const std::string dir = a.dir.empty() ? "esdb-bench-data" : a.dir;
  remove_all(dir);
  std::filesystem::create_directories(dir);

  struct Entry {
    std::unique_ptr<System> sys;
    std::string path;
    uint64_t chunk_size = 0;
    bool in_sweep = false, in_systems = false;
    bool build_only = false;  // memory-budget and thread variants: build, then check the counts
    uint64_t memory_budget = 0;  // esdb only
    int threads = -1;            // esdb only
  };
  std::vector<Entry> entries;
  const uint64_t default_chunk = WriterOptions{}.chunk_size;
  for (const std::string& name : a.systems) {
    if (name == "esdb") {
      WriterOptions o;
      entries.push_back({make_esdb(o, "esdb"), dir + "/default.esdb", o.chunk_size, false, true});
      // The same file with 4 KiB sub-blocks and with zstd: the compact-blocks
      // rows beside the default (whole Snappy chunks).
      WriterOptions sub;
      sub.sub_block_size = 4096;
      entries.push_back({make_esdb(sub, "esdb-sub4k"), dir + "/sub4k.esdb", sub.chunk_size, false, true});
      // Sub-blocks only in each group's newest chunk: newest-N reads for
      // about +1% size (BENCHMARKS.md, "Compact blocks").
      WriterOptions tail;
      tail.sub_block_size = 2048;
      tail.tail_sub_blocks = true;
      entries.push_back({make_esdb(tail, "esdb-tail2k"), dir + "/tail2k.esdb", tail.chunk_size, false, true});
      WriterOptions z;
      z.compression = Compression::zstd;
      entries.push_back({make_esdb(z, "esdb-zstd"), dir + "/zstd.esdb", z.chunk_size, false, true});
      // The scanned index entry covered: its index scans decode only their
      // own events (BENCHMARKS.md, "Covered index entries").
      WriterOptions cover;
      cover.covered_indexes = {d.scan_index_name + "=" + d.scan_index_value};
      entries.push_back({make_esdb(cover, "esdb-cover"), dir + "/cover.esdb", cover.chunk_size, false, true});
    } else if (name == "rocksdb") {
      entries.push_back({make_rocksdb(), dir + "/rocksdb.sst"});
    } else if (name == "leveldb") {
      entries.push_back({make_leveldb(), dir + "/leveldb"});
    } else if (name == "traildb") {
      entries.push_back({make_traildb(), dir + "/traildb"});
    } else {
      throw std::runtime_error("unknown system " + name);
    }
    entries.back().in_systems = true;
  }
  if (!a.no_sweep) {
    for (uint64_t c : a.sweep) {
      if (c == default_chunk && !entries.empty() && entries.front().chunk_size == c) {
        entries.front().in_sweep = true;
        continue;
      }
      WriterOptions o;
      o.chunk_size = c;
      entries.push_back({make_esdb(o, "esdb-" + std::to_string(c / 1024) + "k"), dir + "/chunk" + std::to_string(c) +
                                                                                       ".esdb",
                         c, true, false});
    }
  }

  if (!a.no_sweep && std::find(a.systems.begin(), a.systems.end(), "esdb") != a.systems.end()) {
    for (uint64_t mib : a.budgets) {
      WriterOptions o;
      o.memory_budget = mib << 20;
      Entry e{make_esdb(o, "esdb-mem" + std::to_string(mib) + "M"), dir + "/mem" + std::to_string(mib) + ".esdb"};
      e.build_only = true;
      e.memory_budget = o.memory_budget;
      entries.push_back(std::move(e));
    }
    WriterOptions o;
    o.compression_threads = 0;
    Entry e{make_esdb(o, "esdb-1thread"), dir + "/one-thread.esdb"};
    e.build_only = true;
    e.memory_budget = o.memory_budget;
    e.threads = 0;
    entries.push_back(std::move(e));
  }

  // All builds first: they fork, and the reads below start library threads.
  // Each round builds every entry once, in turn, so that load from outside
  // (a shared machine) falls on all of them alike; the fastest round counts.
  std::vector<Result> results(entries.size());
  for (int round = 0; round < a.rounds; ++round) {
    for (size_t i = 0; i < entries.size(); ++i) {
      Entry& e = entries[i];
      std::fprintf(stderr, "esdb_bench: building %s (round %d of %d)\n", e.sys->name().c_str(), round + 1, a.rounds);
      remove_all(e.sys->output(e.path));
      const ChildBuild b = build_in_child([&] { e.sys->build(d, e.path); });
      Result& r = results[i];
      if (round == 0 || b.seconds < r.build.seconds) r.build = b;
      r.build.peak_kib = std::max(r.build.peak_kib, b.peak_kib);  // the worst round's peak
      r.file_bytes = disk_bytes(e.sys->output(e.path));
    }
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& e = entries[i];
    if (!e.build_only) continue;
    // Not read below; check that the file holds every event.
    const FileStats st = Reader::open(e.path).stats();
    Result r = results[i];
    r.system = e.sys->name();
    r.memory_budget = e.memory_budget;
    r.threads = e.threads;
    if (st.event_count != run.events || st.key_count != run.keys) {
      r.check = "file holds " + std::to_string(st.event_count) + " events of " + std::to_string(st.key_count) +
                " keys";
    }
    if (!a.keep) remove_all(e.path);
    run.builds.push_back(r);
  }

  // Reads: each round reads every file in turn; per figure the best round
  // counts. Every round's sums must agree with the first system's.
  Sums first;
  std::vector<std::optional<Result>> best(entries.size());
  for (int round = 0; round < a.rounds; ++round) {
    std::fprintf(stderr, "esdb_bench: reference (snappy, zstd, memcpy), round %d\n", round + 1);
    const Reference ref = measure_reference(d, default_chunk, WriterOptions{}.compression_level, 3);
    if (round == 0) {
      run.reference = ref;
    } else {
      run.reference.snappy_mb_s = std::max(run.reference.snappy_mb_s, ref.snappy_mb_s);
      run.reference.snappy_per_key_mb_s = std::max(run.reference.snappy_per_key_mb_s, ref.snappy_per_key_mb_s);
      run.reference.memcpy_mb_s = std::max(run.reference.memcpy_mb_s, ref.memcpy_mb_s);
      run.reference.zstd_per_key_mb_s = std::max(run.reference.zstd_per_key_mb_s, ref.zstd_per_key_mb_s);
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      Entry& e = entries[i];
      if (e.build_only) continue;
      std::fprintf(stderr, "esdb_bench: reading %s (round %d of %d)\n", e.sys->name().c_str(), round + 1, a.rounds);
      Sums sums;
      Result r = measure_reads(*e.sys, e.path, run, keys, sums);
      if (i == 0 && round == 0) first = sums;
      else compare(r, sums, first);
      if (!best[i]) {
        best[i] = r;
        continue;
      }
      Result& b = *best[i];
      if (r.check != "ok") b.check = r.check;
      b.open_us = std::min(b.open_us, r.open_us);
      if (r.lookup.mean_us < b.lookup.mean_us) {
        b.lookup = r.lookup;
        b.lookup_seconds = r.lookup_seconds;
      }
      if (r.index_all.mean_us < b.index_all.mean_us) b.index_all = r.index_all;
      if (r.index_top10.mean_us < b.index_top10.mean_us) b.index_top10 = r.index_top10;
      if (r.newest10.mean_us < b.newest10.mean_us) b.newest10 = r.newest10;
      if (r.missing.mean_us < b.missing.mean_us) b.missing = r.missing;
      b.scan_seconds = std::min(b.scan_seconds, r.scan_seconds);
    }
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& e = entries[i];
    if (e.build_only) continue;
    Result r = *best[i];
    r.build = results[i].build;
    r.file_bytes = results[i].file_bytes;
    r.chunk_size = e.chunk_size;
    if (e.chunk_size != 0) r.memory_budget = WriterOptions{}.memory_budget;
    if (i == 0 && e.chunk_size != 0) {
      run.builds.insert(run.builds.begin(), r);
      run.builds.front().system = "esdb-default";
    }
    if (e.in_systems) run.systems.push_back(r);
    if (e.in_sweep || (e.chunk_size != 0 && !e.in_systems)) {
      if (e.in_systems) r.system = "esdb-" + std::to_string(e.chunk_size / 1024) + "k*";
      run.sweep.push_back(r);
    }
  }
  std::sort(run.sweep.begin(), run.sweep.end(),
            [](const Result& x, const Result& y) { return x.chunk_size < y.chunk_size; });
  std::optional<EndToEnd> end_to_end;
  if (!a.no_cli) {
    // The command on the same events as text; generated records index their
    // skus inside "items", which the command does not reach, so only type.
    std::vector<std::string> inputs = a.input.paths, flags;
    if (inputs.empty()) {
      inputs = {dir + "/events.jsonl"};
      std::ofstream out(inputs[0], std::ios::binary);
      for (const auto& e : d.events()) out << d.data(e) << '\n';
      flags = {"--key", "customer", "--time", "ts", "--time-unit", "ms", "--index", "type"};
    } else {
      flags = {"--key", a.input.key, "--time", a.input.time, "--time-unit", a.input.time_unit};
      if (!a.input.group.empty()) flags.insert(flags.end(), {"--group", a.input.group});
      for (const std::string& x : a.input.indexes) flags.insert(flags.end(), {"--index", x});
      if (a.input.csv) flags.push_back("--csv");
    }
    end_to_end = measure_end_to_end(ESDB_TOOL_PATH, inputs, flags, dir, a.rounds);
  }
  if (a.small_records != 0) {
    std::fprintf(stderr, "esdb_bench: small records (%llu events)\n", static_cast<unsigned long long>(a.small_records));
    run.small_records = measure_small_records(a.small_records, dir + "/small-records.esdb", std::max(a.rounds, 3), a.keep);
  }
  if (!a.keep) remove_all(dir);
  print(run);
  if (end_to_end) print_end_to_end(*end_to_end);
  if (!a.json.empty()) write_json(run, a.json);
  // Systems that disagree on what they read are not measured fairly: fail.
  int bad = 0;
  for (const auto* rows : {&run.systems, &run.sweep, &run.builds}) {
    for (const Result& r : *rows) {
      if (r.check != "ok") {
        std::fprintf(stderr, "esdb_bench: FAILED: %s: %s\n", r.system.c_str(), r.check.c_str());
        ++bad;
      }
    }
  }
  return bad == 0 ? 0 : 3;
}

}  // namespace
}  // namespace esdb::bench

int main(int argc, char** argv) {
  using namespace esdb::bench;
  Args a;
  CLI::App app{"esdb and its peers on the same events (BENCHMARKS.md)"};
  app.add_flag("--small", a.small, "A few seconds' worth: 60k events, 5k keys, 2k lookups (CI)");
  app.add_option("--events", a.gen.events, "Generated events (default 3,000,000)");
  app.add_option("--keys", a.gen.keys, "Generated keys (default 100,000)");
  app.add_option("--seed", a.gen.seed, "Generator seed");
  app.add_option("--zipf", a.gen.zipf_s, "Skew of events per key (1/rank^s)");
  app.add_flag("--generate-groups", a.gen.group, "Store the generated 'device' field as the event group");
  app.add_option("--lookups", a.lookups, "Random existing keys looked up (half of them index-scanned)");
  app.add_option("--systems", a.systems, "Systems to run, esdb first")->delimiter(',');
  app.add_option("--chunk-sizes", a.sweep, "esdb chunk sizes to sweep")->delimiter(',');
  app.add_option("--memory-budgets", a.budgets, "esdb writer memory budgets to sweep, MiB")->delimiter(',');
  app.add_flag("--no-sweep", a.no_sweep, "Skip the chunk-size and memory-budget sweeps");
  app.add_option("--small-records", a.small_records,
                 "Events of the small-record data set (60-90 byte records, 229 keys; default 3,000,000, --small 300,000; 0 skips)");
  app.add_flag("--no-cli", a.no_cli, "Skip the end-to-end case: esdb build of the JSON lines beside zstd -1 -T1");
  app.add_option("--rounds", a.rounds, "Build and read everything this many times; the best round counts (default 2, --small 1)")
      ->check(CLI::PositiveNumber);
  app.add_option("--dir", a.dir, "Where the files are built (default ./esdb-bench-data, removed after)");
  app.add_flag("--keep", a.keep, "Keep the built files");
  app.add_option("--json", a.json, "Also write the figures as JSON here");
  app.add_option("--write-jsonl", a.write_jsonl, "Write the events as JSON lines (input for esdb build) too");
  app.add_option("--input", a.input.paths, "Read events from JSON lines (or CSV) files instead of generating");
  app.add_option("--key", a.input.key, "As esdb build: field holding the key");
  app.add_option("--time", a.input.time, "As esdb build: field holding the timestamp");
  app.add_option("--group", a.input.group, "As esdb build: field holding the group");
  app.add_option("--index", a.input.indexes, "As esdb build: index field (repeatable; the first is scanned)");
  app.add_option("--time-unit", a.input.time_unit, "As esdb build: s, ms, us or ns");
  app.add_flag("--csv", a.input.csv, "As esdb build: inputs are CSV with a header");
  CLI11_PARSE(app, argc, argv);
  if (a.small) {
    if (app.count("--events") == 0) a.gen.events = 60'000;
    if (app.count("--keys") == 0) a.gen.keys = 5'000;
    if (app.count("--lookups") == 0) a.lookups = 2'000;
    if (app.count("--rounds") == 0) a.rounds = 1;
    if (app.count("--small-records") == 0) a.small_records = 300'000;
  }
  if (!a.input.paths.empty() && (a.input.key.empty() || a.input.time.empty())) {
    std::fprintf(stderr, "esdb_bench: --input needs --key and --time\n");
    return 2;
  }
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(i ? argv[i] : "esdb_bench");
  try {
    return run(a, command);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "esdb_bench: %s\n", e.what());
    return 1;
  }
}
