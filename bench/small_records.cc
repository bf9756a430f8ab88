#include "small_records.h"

#include <snappy.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "esdb/esdb.h"
#include "measure.h"
#include "system.h"

namespace esdb::bench {
namespace {

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

// Per-key blocks of the events (key, time order), cut at each key and group
// and before a block passes chunk_size, each Snappy-compressed: the event
// data alone, or (`framed`) esdb's chunk payloads rebuilt, with each event's
// timestamp and length varints.
struct Framed {
  std::vector<std::string> blocks;
  uint64_t bytes = 0;
  size_t largest = 1;
};

Framed per_key_blocks(const Dataset& d, size_t chunk_size, bool framed) {
  Framed f;
  std::string payload;
  const auto cut = [&] {
    if (payload.empty()) return;
    f.blocks.emplace_back();
    snappy::Compress(payload.data(), payload.size(), &f.blocks.back());
    f.bytes += payload.size();
    f.largest = std::max(f.largest, payload.size());
    payload.clear();
  };
  const Dataset::Event* prev = nullptr;
  for (uint32_t i : sorted_by_key_time(d)) {
    const Dataset::Event& e = d.events()[i];
    if (prev != nullptr && (prev->key != e.key || prev->group != e.group || payload.size() + e.data_size > chunk_size)) {
      cut();
    }
    if (framed) {
      put_varint(payload, payload.empty() ? zigzag(e.timestamp)
                                          : static_cast<uint64_t>(e.timestamp) - static_cast<uint64_t>(prev->timestamp));
      put_varint(payload, e.data_size);
    }
    payload.append(d.data(e));
    prev = &e;
  }
  cut();
  return f;
}

double decompress_seconds(const Framed& f, std::string& out) {
  const double t0 = now_seconds();
  for (const std::string& b : f.blocks) {
    if (!snappy::RawUncompress(b.data(), b.size(), out.data())) throw std::runtime_error("snappy failed");
    asm volatile("" : : "r"(out.data()) : "memory");
  }
  return now_seconds() - t0;
}

double per_s(double n, double seconds) { return seconds > 0 ? n / seconds : 0; }

}  // namespace

Dataset small_records(uint64_t events) {
  constexpr int kKeys = 229;
  std::mt19937_64 rng(42);
  std::vector<double> w(kKeys);
  for (int i = 0; i < kKeys; i++) w[i] = 1.0 / std::pow(i + 1, 1.1);  // heavy-tailed
  std::discrete_distribution<int> pick(w.begin(), w.end());
  const char* types[] = {"view", "view", "view", "click", "purchase"};
  Dataset d;
  for (uint64_t i = 0; i < events; i++) {
    const int k = pick(rng);
    const std::string type = types[rng() % 5];
    const int64_t ts = 1600000000 + static_cast<int64_t>(i);
    std::string data = "{\"u\":\"c-" + std::to_string(k) + "\",\"t\":" + std::to_string(ts) + ",\"e\":\"" + type +
                       "\",\"p\":" + std::to_string(rng() % 1000) + ",\"v\":" + std::to_string(rng() % 100000) + "}";
    const size_t size = 60 + rng() % 31;
    if (data.size() < size) data.insert(data.size() - 1, size - data.size(), ' ');
    d.add("c-" + std::to_string(k), ts, "", {{"type", type}}, data);
  }
  d.describe = "small records: 60-90 byte JSON, 229 heavy-tailed keys";
  return d;
}

SmallRecords measure_small_records(uint64_t events, const std::string& path, int rounds, bool keep) {
  const Dataset d = small_records(events);
  SmallRecords s;
  s.events = d.events().size();
  s.keys = d.keys().size();
  s.data_bytes = d.data_bytes();
  s.rounds = rounds;
  {
    Writer w = Writer::create(path, {.overwrite = true});
    for (const Dataset::Event& e : d.events()) {
      w.add({.key = d.key(e), .timestamp = e.timestamp, .data = d.data(e),
             .indexes = {{std::string(d.str(d.indexes(e)->name)), std::string(d.str(d.indexes(e)->value))}}});
    }
    s.file_bytes = w.finish().file_size;
  }
  const uint64_t chunk_size = WriterOptions{}.chunk_size;
  const Framed plain = per_key_blocks(d, chunk_size, false);
  const Framed framed = per_key_blocks(d, chunk_size, true);
  s.blocks = plain.blocks.size();
  s.framed_bytes = framed.bytes;
  std::string out(std::max(plain.largest, framed.largest), '\0');
  const double mb = static_cast<double>(s.data_bytes) / 1e6;
  Reader r = Reader::open(path);
  for (int round = 0; round < rounds; round++) {
    // The same loop as the esdb system's full scan (esdb_system.cc).
    Sink sink;
    const double t0 = now_seconds();
    for (const Key& k : r.keys()) {
      for (const Event& e : k.scan()) sink.event(e.timestamp, e.data);
    }
    const double t = now_seconds() - t0;
    if (sink.events != s.events) throw std::runtime_error("small records: the scan missed events");
    if (round == 0 || t < s.scan_seconds) s.scan_seconds = t;
    s.scan_check = sink.check;
    s.snappy_mb_s = std::max(s.snappy_mb_s, per_s(mb, decompress_seconds(plain, out)));
    s.framed_snappy_mb_s = std::max(s.framed_snappy_mb_s, per_s(mb, decompress_seconds(framed, out)));
  }
  if (!keep) std::remove(path.c_str());
  return s;
}

void print_small_records(const SmallRecords& s) {
  const double mb = static_cast<double>(s.data_bytes) / 1e6;
  const auto ev_s = [&](double mb_s) { return mb > 0 ? mb_s / mb * static_cast<double>(s.events) / 1e6 : 0; };
  const double scan_mb_s = per_s(mb, s.scan_seconds);
  std::printf("\n== small records (#16): %llu events, %llu keys, %.1f data bytes per event, file %.1f MiB; best of %d\n",
              static_cast<unsigned long long>(s.events), static_cast<unsigned long long>(s.keys),
              s.events ? static_cast<double>(s.data_bytes) / static_cast<double>(s.events) : 0,
              static_cast<double>(s.file_bytes) / (1 << 20), s.rounds);
  std::printf("what                                               Mev/s     MB/s  of_snappy\n");
  const auto row = [&](const char* what, double mb_s) {
    std::printf("%-48s %8.2f %8.0f %10.2f\n", what, ev_s(mb_s), mb_s,
                s.snappy_mb_s > 0 ? mb_s / s.snappy_mb_s : 0);
  };
  row("esdb full scan (keys(), every key's events)", scan_mb_s);
  row("snappy alone, per-key blocks, event data only", s.snappy_mb_s);
  row("snappy alone, the same with ts+len varints", s.framed_snappy_mb_s);
  std::printf("(MB/s of event data; %llu per-key blocks; each round runs all three; target: esdb full scan >= 20 Mev/s)\n",
              static_cast<unsigned long long>(s.blocks));
}

nlohmann::json small_records_json(const SmallRecords& s) {
  const double mb = static_cast<double>(s.data_bytes) / 1e6;
  const auto ev_s = [&](double mb_s) { return mb > 0 ? mb_s / mb * static_cast<double>(s.events) : 0; };
  const double scan_mb_s = per_s(mb, s.scan_seconds);
  return {{"events", s.events},
          {"keys", s.keys},
          {"data_bytes", s.data_bytes},
          {"file_bytes", s.file_bytes},
          {"rounds", s.rounds},
          {"scan_seconds", s.scan_seconds},
          {"scan_events_per_s", ev_s(scan_mb_s)},
          {"scan_mb_per_s", scan_mb_s},
          {"snappy_per_key_blocks", s.blocks},
          {"snappy_per_key_events_per_s", ev_s(s.snappy_mb_s)},
          {"snappy_per_key_mb_per_s", s.snappy_mb_s},
          {"snappy_per_key_framed_bytes", s.framed_bytes},
          {"snappy_per_key_framed_events_per_s", ev_s(s.framed_snappy_mb_s)},
          {"snappy_per_key_framed_mb_per_s", s.framed_snappy_mb_s},
          {"scan_over_snappy_per_key", s.snappy_mb_s > 0 ? scan_mb_s / s.snappy_mb_s : 0}};
}

}  // namespace esdb::bench
