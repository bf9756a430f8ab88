// esdb_remote_bench: lookups over HTTP against nginx on loopback (tests/
// remote/servers.h starts it), beside the same lookups on the local files.
//
//   esdb_remote_bench [--small] [--keys N] [--files N] [--lookups N]
//
// Reports, per cold lookup (a fresh Reader: open + find + scan), per warm
// lookup (the same Reader), per miss and per multi-file lookup: GET requests
// and bytes received (the Reader's own counts, checked against nginx's access
// log), and lookups per second, with the local files' rate in the same run as
// the peer. Loopback has no network latency: the rates measure the request
// path's CPU and syscalls, not what a real network would give.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "esdb/esdb.h"
#include "remote/servers.h"

using namespace esdb;
using Clock = std::chrono::steady_clock;

namespace {

struct Rng {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  uint64_t next() { return x ^= x << 13, x ^= x >> 7, x ^= x << 17; }
};

std::string key_name(uint64_t i) {
  char b[24];
  std::snprintf(b, sizeof b, "c-%07llu", static_cast<unsigned long long>(i));
  return b;
}

// Customers with 1..40 events of 150..350 bytes (incompressible): regions of
// a few hundred bytes to ~14 KiB, the shape of a customer-history archive.
void write_file(const std::string& path, uint64_t keys, uint64_t seed) {
  Rng rng{seed | 1};
  WriterOptions o;
  o.sync = false;
  Writer w = Writer::create(path, o);
  std::string data;
  for (uint64_t k = 0; k < keys; k++) {
    const std::string key = key_name(k);
    const uint64_t n = 1 + rng.next() % 40;
    for (uint64_t e = 0; e < n; e++) {
      data.resize(150 + rng.next() % 200);
      for (char& c : data) c = static_cast<char>(rng.next());
      w.add({.key = key, .timestamp = static_cast<int64_t>(1700000000 + e * 60), .data = data});
    }
  }
  w.finish();
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

uint64_t scan_all(Scan s) {
  uint64_t n = 0;
  for (const Event& e : s) n += e.data.size();
  return n;
}

struct Row {
  std::string what;
  double requests, bytes, per_second, peer_per_second;
};

void print(const Row& r) {
  std::printf("%-34s %9.2f %12.0f %12.0f %12.0f %8.1fx\n", r.what.c_str(), r.requests, r.bytes, r.per_second,
              r.peer_per_second, r.peer_per_second / r.per_second);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t keys = 200000, files = 4, lookups = 2000, colds = 50;
  for (int i = 1; i < argc; i++) {
    auto arg = [&](const char* name) { return std::strcmp(argv[i], name) == 0 && i + 1 < argc; };
    if (std::strcmp(argv[i], "--small") == 0) keys = 20000, lookups = 300, colds = 20;
    else if (arg("--keys")) keys = std::stoull(argv[++i]);
    else if (arg("--files")) files = std::stoull(argv[++i]);
    else if (arg("--lookups")) lookups = std::stoull(argv[++i]);
    else {
      std::fprintf(stderr, "usage: esdb_remote_bench [--small] [--keys N] [--files N] [--lookups N]\n");
      return 2;
    }
  }
  if (auto why = test::NginxServer::missing()) {
    std::printf("esdb_remote_bench: skipped: %s\n", why->c_str());
    return 0;
  }
  const std::string dir = std::filesystem::temp_directory_path() / ("esdb-remote-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<std::string> paths, urls;
  for (uint64_t f = 0; f < files; f++) {
    paths.push_back(dir + "/day-" + std::to_string(f) + ".esdb");
    write_file(paths.back(), keys, f + 1);
  }
  int rc = 0;
  {
    test::NginxServer nginx(dir);
    for (const std::string& p : paths) urls.push_back(nginx.url(std::filesystem::path(p).filename()));
    std::printf("esdb_remote_bench: %llu files of %llu keys (%.1f MiB each), nginx on 127.0.0.1; machine shared\n",
                static_cast<unsigned long long>(files), static_cast<unsigned long long>(keys),
                std::filesystem::file_size(paths[0]) / 1048576.0);
    std::printf("%-34s %9s %12s %12s %12s %9s\n", "case", "GETs/op", "bytes/op", "ops/s", "local ops/s", "local/remote");
    Rng rng;
    std::vector<std::string> hits, misses;
    for (uint64_t i = 0; i < lookups; i++) hits.push_back(key_name(rng.next() % keys));
    for (uint64_t i = 0; i < lookups; i++) misses.push_back("absent-" + std::to_string(rng.next()));
    uint64_t sink = 0;

    // Cold: a fresh Reader per lookup (open + find + scan).
    auto cold = [&](const std::string& file, TransferStats* t) {
      Clock::time_point start = Clock::now();
      for (uint64_t i = 0; i < colds; i++) {
        Reader r = Reader::open(file);
        auto k = r.find(hits[i]);
        sink += scan_all(k->scan());
        if (t) t->requests += r.transfer_stats().requests, t->bytes += r.transfer_stats().bytes;
      }
      return colds / seconds_since(start);
    };
    TransferStats ct;
    const double cold_remote = cold(urls[0], &ct), cold_local = cold(paths[0], nullptr);
    print({"cold lookup (open+find+scan)", double(ct.requests) / colds, double(ct.bytes) / colds, cold_remote, cold_local});

    // Warm and miss on one open Reader each.
    auto warm = [&](const std::string& file, const std::vector<std::string>& ks, TransferStats* t) {
      Reader r = Reader::open(file);
      TransferStats before = r.transfer_stats();
      Clock::time_point start = Clock::now();
      for (const std::string& k : ks) {
        if (auto key = r.find(k)) sink += scan_all(key->scan());
      }
      const double rate = ks.size() / seconds_since(start);
      if (t) *t = {r.transfer_stats().requests - before.requests, r.transfer_stats().bytes - before.bytes};
      return rate;
    };
    TransferStats wt, mt;
    const double warm_remote = warm(urls[0], hits, &wt), warm_local = warm(paths[0], hits, nullptr);
    print({"warm lookup (find+scan)", double(wt.requests) / lookups, double(wt.bytes) / lookups, warm_remote, warm_local});
    const double miss_remote = warm(urls[0], misses, &mt), miss_local = warm(paths[0], misses, nullptr);
    print({"miss", double(mt.requests) / lookups, double(mt.bytes) / lookups, miss_remote, miss_local});

    // Several files: one lookup probes every file (concurrently when remote).
    auto multi = [&](const std::vector<std::string>& fs, TransferStats* t) {
      MultiReader m = MultiReader::open(fs);
      TransferStats before;
      for (const Reader& r : m.readers()) before.requests += r.transfer_stats().requests, before.bytes += r.transfer_stats().bytes;
      Clock::time_point start = Clock::now();
      for (const std::string& k : hits) {
        if (auto key = m.find(k)) sink += scan_all(key->scan());
      }
      const double rate = lookups / seconds_since(start);
      if (t) {
        for (const Reader& r : m.readers()) t->requests += r.transfer_stats().requests, t->bytes += r.transfer_stats().bytes;
        t->requests -= before.requests, t->bytes -= before.bytes;
      }
      return rate;
    };
    TransferStats xt;
    const double multi_remote = multi(urls, &xt), multi_local = multi(paths, nullptr);
    print({"warm lookup, " + std::to_string(files) + " files", double(xt.requests) / lookups,
           double(xt.bytes) / lookups, multi_remote, multi_local});

    // The server's own count of every GET above, against the Readers' counts.
    const uint64_t logged = nginx.access_log().size();
    const uint64_t counted = ct.requests + wt.requests + mt.requests + xt.requests + files /* multi opens */ + 2 /* warm/miss opens */;
    std::printf("nginx logged %llu GETs; the Readers counted %llu (+ the log's last lines may lag)\n",
                static_cast<unsigned long long>(logged), static_cast<unsigned long long>(counted));
    if (sink == 0) rc = 1;
  }
  std::filesystem::remove_all(dir);
  return rc;
}
