// esdb_log_bench: append throughput of the ingest log under each durability
// policy, with RocksDB's write-ahead log measured in the same run as the
// peer (a rocksdb::DB with sync on every write, and with group commit: a
// synced WriteBatch per batch), and the time to seal the log against an
// esdb::Writer build of the same events.
//
//   esdb_log_bench [DIR] [--events N] [--keys K] [--batch B]
//
// The events are esdb_bench's own (bench/generator.cc: Zipf-skewed customer
// activity, JSON data of 50-300 bytes, type and sku index entries), in their
// arrival order. Policies that fsync per event run on N/20 events (each is
// one fsync); the log's per-append fsync runs with and without preallocation.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "dataset.h"
#include "esdb/log.h"

namespace {

using Clock = std::chrono::steady_clock;
using esdb::bench::Dataset;

// One event of the dataset as the library takes it; `indexes` is reused.
esdb::EventInput input(const Dataset& d, const Dataset::Event& e, std::vector<esdb::IndexEntry>& indexes) {
  indexes.clear();
  const Dataset::IndexRef* refs = d.indexes(e);
  for (uint32_t i = 0; i < e.index_count; i++) indexes.push_back({d.str(refs[i].name), d.str(refs[i].value)});
  return {.key = d.key(e), .timestamp = e.timestamp, .data = d.data(e), .group = d.group(e), .indexes = indexes};
}

void report(const std::string& name, size_t n, uint64_t bytes, double secs) {
  std::printf("%-40s %9zu events %10.0f events/s %8.2f MB/s\n", name.c_str(), n, n / secs, bytes / secs / 1e6);
}

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void bench_log(const std::string& dir, const std::string& name, esdb::LogOptions o, const Dataset& d, size_t n,
               size_t batch) {
  const std::string path = dir + "/bench.log";
  std::filesystem::remove(path);
  std::vector<esdb::IndexEntry> indexes;
  uint64_t bytes = 0;
  auto t = Clock::now();
  {
    o.interval = std::chrono::milliseconds(10);
    esdb::Log log = esdb::Log::open(path, o);
    for (size_t i = 0; i < n; i++) {
      const Dataset::Event& e = d.events()[i];
      log.append(input(d, e, indexes));
      bytes += e.data_size;
      if (o.durability == esdb::Durability::on_flush && (i + 1) % batch == 0) log.flush();
    }
    log.flush();
  }
  report(name, n, bytes, since(t));
}

void bench_rocksdb(const std::string& dir, const std::string& name, const Dataset& d, size_t n, size_t batch) {
  const std::string path = dir + "/rocksdb";
  std::filesystem::remove_all(path);
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open(o, path, &db).ok()) std::exit(1);
  rocksdb::WriteOptions w;
  w.sync = true;
  uint64_t bytes = 0;
  auto t = Clock::now();
  rocksdb::WriteBatch b;
  for (size_t i = 0; i < n; i++) {
    const Dataset::Event& e = d.events()[i];
    // The key as esdb's benchmark stores events in RocksDB: key, timestamp, sequence.
    std::string k = std::string(d.key(e)) + '\0' + std::to_string(e.timestamp) + '\0' + std::to_string(i);
    b.Put(k, d.data(e));
    bytes += e.data_size;
    if ((i + 1) % batch == 0 || i + 1 == n) {
      if (!db->Write(w, &b).ok()) std::exit(1);
      b.Clear();
    }
  }
  report(name, n, bytes, since(t));
  delete db;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/tmp/esdb_log_bench";
  esdb::bench::GeneratorOptions g{.events = 200000, .keys = 20000};
  size_t batch = 100;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--events" && i + 1 < argc) g.events = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--keys" && i + 1 < argc) g.keys = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--batch" && i + 1 < argc) batch = std::strtoull(argv[++i], nullptr, 10);
    else dir = a;
  }
  std::filesystem::create_directories(dir);
  const Dataset d = esdb::bench::generate(g);
  const size_t n = d.events().size();
  const size_t slow = std::max<size_t>(n / 20, 1);
  std::printf("%s\nappends (each run's figures are comparable only within this run)\n", d.describe.c_str());
  using esdb::Durability;
  bench_log(dir, "esdb log, fsync every append, no prealloc",
            {.durability = Durability::every_append, .preallocate = 0}, d, slow, batch);
  bench_log(dir, "esdb log, fsync every append", {.durability = Durability::every_append}, d, slow, batch);
  bench_log(dir, "esdb log, fsync every append, no prealloc",
            {.durability = Durability::every_append, .preallocate = 0}, d, slow, batch);
  bench_log(dir, "esdb log, fsync every append", {.durability = Durability::every_append}, d, slow, batch);
  bench_rocksdb(dir, "rocksdb WAL, sync every write", d, slow, 1);
  bench_log(dir, "esdb log, group commit per " + std::to_string(batch), {.durability = Durability::on_flush}, d, n,
            batch);
  bench_rocksdb(dir, "rocksdb WAL, synced batch of " + std::to_string(batch), d, n, batch);
  bench_log(dir, "esdb log, fsync every 10 ms", {.durability = Durability::interval}, d, n, batch);

  // Seal the log of all n events against building the same events.
  bench_log(dir, "(log for the seal, one flush)", {.durability = Durability::on_flush}, d, n, n);
  // Opening reads and indexes every record (what a reopened archive pays);
  // a roll seals a log that is already open, so the seal is timed alone.
  auto t = Clock::now();
  esdb::Log log = esdb::Log::open_read(dir + "/bench.log");
  const double open = since(t);
  t = Clock::now();
  log.seal(dir + "/sealed.esdb", {.overwrite = true});
  const double seal = since(t);
  t = Clock::now();
  {
    esdb::Writer w = esdb::Writer::create(dir + "/built.esdb", {.overwrite = true});
    std::vector<esdb::IndexEntry> indexes;
    for (const Dataset::Event& e : d.events()) w.add(input(d, e, indexes));
    w.finish();
  }
  const double build = since(t);
  std::printf("open (walk + index) %zu events: %.3f s; seal: %.3f s; esdb::Writer build of the same events: %.3f s "
              "(seal/build %.2f, open+seal/build %.2f)\n",
              n, open, seal, build, seal / build, (open + seal) / build);
  std::filesystem::remove_all(dir);
  return 0;
}
