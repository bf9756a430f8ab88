// esdb_log_bench: append throughput of the ingest log under each durability
// policy, with RocksDB's write-ahead log measured in the same run as the
// peer (a rocksdb::DB with sync on every write, and with group commit: a
// synced WriteBatch per batch), and the time to seal the log against an
// esdb::Writer build of the same events.
//
//   esdb_log_bench [DIR] [--events N] [--batch B]
//
// Events are synthetic: 2,000 keys, JSON data of ~180 bytes, one index entry.
// Policies that fsync per event run on N/20 events (each is one fsync).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "esdb/log.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Ev {
  std::string key, data, type;
  int64_t ts;
};

std::vector<Ev> make_events(size_t n) {
  std::vector<Ev> v(n);
  for (size_t i = 0; i < n; i++) {
    v[i].key = "customer-" + std::to_string((i * 7919) % 2000);
    v[i].ts = 1403534923 + static_cast<int64_t>(i);
    v[i].type = i % 5 ? "view" : "purchase";
    v[i].data = "{\"customer\":\"" + v[i].key + "\",\"ts\":" + std::to_string(v[i].ts) + ",\"type\":\"" + v[i].type +
                "\",\"page\":\"/products/" + std::to_string(i % 977) + "\",\"agent\":\"Mozilla/5.0 (X11; Linux x86_64)\"," +
                "\"total\":" + std::to_string(i % 100) + ".99}";
  }
  return v;
}

esdb::EventInput input(const Ev& e) {
  return {.key = e.key, .timestamp = e.ts, .data = e.data, .indexes = {{"type", e.type}}};
}

void report(const char* name, size_t n, uint64_t bytes, double secs) {
  std::printf("%-34s %9zu events %10.0f events/s %8.2f MB/s\n", name, n, n / secs, bytes / secs / 1e6);
}

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void bench_log(const std::string& dir, const char* name, esdb::Durability d, const std::vector<Ev>& ev, size_t n,
               size_t batch) {
  const std::string path = dir + "/bench.log";
  std::filesystem::remove(path);
  uint64_t bytes = 0;
  auto t = Clock::now();
  {
    esdb::Log log = esdb::Log::open(path, {.durability = d, .interval = std::chrono::milliseconds(10)});
    for (size_t i = 0; i < n; i++) {
      log.append(input(ev[i]));
      bytes += ev[i].data.size();
      if (d == esdb::Durability::on_flush && (i + 1) % batch == 0) log.flush();
    }
    log.flush();
  }
  report(name, n, bytes, since(t));
}

void bench_rocksdb(const std::string& dir, const char* name, const std::vector<Ev>& ev, size_t n, size_t batch) {
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
    // The key as esdb's benchmark stores events in RocksDB: key, timestamp, sequence.
    std::string k = ev[i].key + '\0' + std::to_string(ev[i].ts) + '\0' + std::to_string(i);
    b.Put(k, ev[i].data);
    bytes += ev[i].data.size();
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
  size_t n = 200000, batch = 100;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--events" && i + 1 < argc) n = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--batch" && i + 1 < argc) batch = std::strtoull(argv[++i], nullptr, 10);
    else dir = a;
  }
  std::filesystem::create_directories(dir);
  const std::vector<Ev> ev = make_events(n);
  const size_t slow = std::max<size_t>(n / 20, 1);
  std::printf("appends (each run's figures are comparable only within this run)\n");
  bench_log(dir, "esdb log, fsync every append", esdb::Durability::every_append, ev, slow, batch);
  bench_rocksdb(dir, "rocksdb WAL, sync every write", ev, slow, 1);
  std::string gname = "esdb log, group commit per " + std::to_string(batch);
  bench_log(dir, gname.c_str(), esdb::Durability::on_flush, ev, n, batch);
  std::string rname = "rocksdb WAL, synced batch of " + std::to_string(batch);
  bench_rocksdb(dir, rname.c_str(), ev, n, batch);
  bench_log(dir, "esdb log, fsync every 10 ms", esdb::Durability::interval, ev, n, batch);

  // Seal the group-commit log of n events against building the same events.
  bench_log(dir, "(log for the seal)", esdb::Durability::on_flush, ev, n, n);
  auto t = Clock::now();
  esdb::Log::open_read(dir + "/bench.log").seal(dir + "/sealed.esdb", {.overwrite = true});
  const double seal = since(t);
  t = Clock::now();
  {
    esdb::Writer w = esdb::Writer::create(dir + "/built.esdb", {.overwrite = true});
    for (size_t i = 0; i < n; i++) w.add(input(ev[i]));
    w.finish();
  }
  const double build = since(t);
  std::printf("seal %zu events: %.3f s; esdb::Writer build of the same events: %.3f s (seal/build %.2f)\n", n, seal,
              build, seal / build);
  std::filesystem::remove_all(dir);
  return 0;
}
