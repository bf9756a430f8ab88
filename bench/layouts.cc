// esdb_layouts: the chunk layouts side by side in one run, on a small-record
// data set (60-90 byte JSON records over 229 heavy-tailed keys, one index
// field): file size, build, full scan, and per key (newest first) the
// newest 10 events, every `type=purchase` event, the newest 10 of those,
// and the whole history. Best of 3 rounds each; on a shared machine quote
// only ratios between rows of one run.
//
//   esdb_layouts [EVENTS=600000] [DIR=/tmp/esdb-layouts] [ONLY: a name part]
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>
#include <cmath>
#include <filesystem>
#include "esdb/esdb.h"
using namespace esdb;
using clk = std::chrono::steady_clock;
static double secs(clk::time_point a) { return std::chrono::duration<double>(clk::now() - a).count(); }

int main(int argc, char** argv) {
  const int nkeys = 229, nevents = argc > 1 ? atoi(argv[1]) : 600000;
  std::mt19937_64 rng(42);
  // heavy-tailed key weights (zipf-ish)
  std::vector<double> w(nkeys);
  for (int i = 0; i < nkeys; i++) { w[i] = 1.0 / std::pow(i + 1, 1.1); }
  std::discrete_distribution<int> pick(w.begin(), w.end());
  const char* types[] = {"view", "view", "view", "click", "purchase"};
  struct Ev { std::string key, data, type; int64_t ts; };
  std::vector<Ev> evs; evs.reserve(nevents);
  for (int i = 0; i < nevents; i++) {
    int k = pick(rng);
    std::string type = types[rng() % 5];
    std::string data = "{\"u\":\"c-" + std::to_string(k) + "\",\"t\":" + std::to_string(1600000000 + i) +
                       ",\"e\":\"" + type + "\",\"p\":" + std::to_string(rng() % 1000) + ",\"v\":" + std::to_string(rng() % 100000) + "}";
    while (data.size() < 60 + rng() % 31) data.insert(data.size() - 1, " ");
    evs.push_back({"c-" + std::to_string(k), data, type, 1600000000 + i});
  }
  struct Cfg { const char* name; WriterOptions o; };
  std::vector<Cfg> cfgs;
  { WriterOptions o; o.sub_block_size = 0; cfgs.push_back({"snappy-whole(v1)", o}); }
  { WriterOptions o; o.sub_block_size = 4096; cfgs.push_back({"snappy-sub4k", o}); }
  { WriterOptions o; o.sub_block_size = 8192; cfgs.push_back({"snappy-sub8k", o}); }
  { WriterOptions o; o.sub_block_size = 4096; o.tail_sub_blocks = true; cfgs.push_back({"snappy-tail4k", o}); }
  { WriterOptions o; o.sub_block_size = 2048; o.tail_sub_blocks = true; cfgs.push_back({"snappy-tail2k", o}); }
  { WriterOptions o; o.compression = Compression::zstd; o.compression_level = 3; o.sub_block_size = 0; cfgs.push_back({"zstd3-whole", o}); }
  { WriterOptions o; o.compression = Compression::zstd; o.compression_level = 3; o.sub_block_size = 4096; cfgs.push_back({"zstd3-sub4k", o}); }
  { WriterOptions o; o.compression = Compression::zstd; o.compression_level = 3; o.sub_block_size = 0; o.chunk_size = 128 << 10; cfgs.push_back({"zstd3-whole-128k", o}); }
  { WriterOptions o; o.compression = Compression::zstd; o.compression_level = 6; cfgs.push_back({"zstd6-whole", o}); }
  { WriterOptions o; o.compression = Compression::zstd; o.compression_level = 7; cfgs.push_back({"zstd7-whole", o}); }
  { WriterOptions o; o.compression = Compression::zstd; o.compression_level = 7; o.zstd_dictionary_size = 0; cfgs.push_back({"zstd7-whole-nodict", o}); }  // #12: the dictionary on/off
  { WriterOptions o; o.compression = Compression::zstd; o.compression_level = 7; o.sub_block_size = 2048; o.tail_sub_blocks = true; cfgs.push_back({"zstd7-tail2k", o}); }
  const std::string dir = argc > 2 ? argv[2] : "/tmp/esdb-layouts";
  std::filesystem::create_directories(dir);
  uint64_t sum = 0;
  const std::string only = argc > 3 ? argv[3] : "";  // run only the layouts whose name contains it
  for (auto& c : cfgs) {
    if (std::string(c.name).find(only) == std::string::npos) continue;
    std::string path = dir + "/" + c.name + ".esdb";
    c.o.overwrite = true;
    auto t0 = clk::now();
    Writer wr = Writer::create(path, c.o);
    for (auto& e : evs) wr.add({.key = e.key, .timestamp = e.ts, .data = e.data, .indexes = {{"type", e.type}}});
    FileStats st = wr.finish();
    double build = secs(t0);
    Reader r = Reader::open(path);
    std::vector<Key> keys;
    for (const Key& k : r.keys()) keys.push_back(k);
    // full scan, 3 rounds best
    double best = 1e9; uint64_t n = 0;
    for (int round = 0; round < 3; round++) {
      auto t = clk::now(); n = 0;
      for (const Key& k : keys) for (const Event& e : k.scan()) { n++; sum += e.data.size(); }
      best = std::min(best, secs(t));
    }
    auto per_key = [&](ScanOptions so, size_t limit) {
      double b = 1e9;
      for (int round = 0; round < 3; round++) {
        auto t = clk::now();
        for (int rep = 0; rep < 20; rep++)
          for (const Key& k : keys) { size_t m = 0; for (const Event& e : k.scan(so)) { sum += e.data.size(); if (++m == limit) break; } }
        b = std::min(b, secs(t) / (20.0 * keys.size()));
      }
      return b * 1e6;
    };
    double top10 = per_key({.reverse = true}, 10);
    double idx = per_key({.index = IndexEntry{"type", "purchase"}, .reverse = true}, SIZE_MAX);
    double idx10 = per_key({.index = IndexEntry{"type", "purchase"}, .reverse = true}, 10);
    double get = per_key({}, SIZE_MAX);
    std::printf("%-18s size %9llu  build %.2fs  scan %.1f Mev/s  new10 %.2fus  idx %.2fus  idx10 %.2fus  get %.1fus\n",
                c.name, (unsigned long long)st.file_size, build, n / best / 1e6, top10, idx, idx10, get);
  }
  std::printf("(%d events, %d keys) %llu\n", nevents, nkeys, (unsigned long long)sum % 7);
}
