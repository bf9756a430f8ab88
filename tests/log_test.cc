// The ingest log: a model-based run of random appends, reads while open,
// reopens and seals; recovery of torn tails; damage reported with its
// offset; the writer lock; tail and readers beside a live writer.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>

#include "esdb/log.h"
#include "test_util.h"

namespace esdb::test {
namespace {

ModelEvent random_event(std::mt19937_64& rng, uint64_t i) {
  static const char* const groups[] = {"", "", "", "a", "b"};
  ModelEvent e;
  e.key = "k" + std::to_string(rng() % 13);
  e.timestamp = static_cast<int64_t>(rng() % 50) - 10;  // many ties
  e.group = groups[rng() % 5];
  e.data = "event " + std::to_string(i) + std::string(rng() % 40, 'x');
  if (rng() % 2) e.indexes.push_back({"type", rng() % 2 ? "click" : "buy"});
  if (rng() % 5 == 0) e.indexes.push_back({"type", "click"});  // duplicates count once
  return e;
}

ScanOptions random_options(std::mt19937_64& rng) {
  ScanOptions o;
  o.reverse = rng() % 2;
  o.with_indexes = rng() % 2;
  switch (rng() % 4) {
    case 0: o.index = IndexEntry{"type", "buy"}; break;
    case 1: o.group = "a"; break;
    case 2: o.from = 5; o.to = 20; break;
    default: break;
  }
  return o;
}

void expect_matches(const Log& log, const Model& m, std::mt19937_64& rng) {
  ASSERT_EQ(log.event_count(), m.in_order().size());
  std::vector<std::string> names;
  for (const auto& [k, _] : m.keys()) names.push_back(k);
  ASSERT_EQ(log.keys(), names);
  for (const std::string& k : names) {
    ScanOptions o = random_options(rng);
    auto key = log.find(k);
    ASSERT_TRUE(key.has_value()) << k;
    EXPECT_EQ(key->event_count(), m.keys().at(k).size());
    EXPECT_EQ(collect(key->scan(o)), to_got(m.expect(k, o), o.with_indexes)) << k;
  }
  EXPECT_FALSE(log.find("no such key").has_value());
}

TEST(Log, ModelBasedAppendsReadsReopensAndSeal) {
  TempDir dir;
  const std::string path = dir.path("a.log");
  std::mt19937_64 rng(17);
  Model m;
  std::optional<Log> log(Log::open(path));
  for (int round = 0; round < 6; round++) {
    const Durability d[] = {Durability::on_flush, Durability::every_append, Durability::interval};
    for (int i = 0; i < 300; i++) {
      ModelEvent e = random_event(rng, m.in_order().size());
      log->append(e.input());
      m.add(e);
      if (rng() % 50 == 0) expect_matches(*log, m, rng);
    }
    expect_matches(*log, m, rng);
    log->close();
    log.reset();
    log.emplace(Log::open(path, {.durability = d[round % 3], .interval = std::chrono::milliseconds(1)}));
    EXPECT_EQ(log->recovery().torn_bytes, 0u);
    expect_matches(*log, m, rng);
  }
  // Sealing gives the bytes a Writer makes of the same events in the same order.
  log->seal(dir.path("sealed.esdb"));
  write_model(m, dir.path("model.esdb"));
  EXPECT_EQ(read_file(dir.path("sealed.esdb")), read_file(dir.path("model.esdb")));
  // Ordinals match the sealed file's.
  Reader r = Reader::open(dir.path("sealed.esdb"));
  for (const auto& [k, _] : m.keys()) {
    std::vector<uint64_t> a, b;
    for (const Event& e : log->find(k)->scan({.index = IndexEntry{"type", "click"}})) a.push_back(e.ordinal);
    for (const Event& e : r.find(k)->scan({.index = IndexEntry{"type", "click"}})) b.push_back(e.ordinal);
    EXPECT_EQ(a, b) << k;
  }
}

// Appends n events and returns every record's offset (from tail()).
std::vector<uint64_t> fill(const std::string& path, int n, Model* m = nullptr) {
  Log log = Log::open(path);
  std::mt19937_64 rng(n);
  for (int i = 0; i < n; i++) {
    ModelEvent e = random_event(rng, i);
    log.append(e.input());
    if (m) m->add(e);
  }
  log.flush();
  std::vector<uint64_t> offsets;
  LogTail t = log.tail();
  while (t.next()) offsets.push_back(t.entry().offset);
  offsets.push_back(log.end());
  return offsets;
}

TEST(Log, TornTailsAreCutAndReported) {
  TempDir dir;
  const std::string path = dir.path("a.log");
  const std::vector<uint64_t> offsets = fill(path, 20);
  const std::string whole = read_file(path);
  const uint64_t last = offsets[19];
  std::mt19937_64 rng(3);
  auto check_recovers = [&](const std::string& bytes, const std::string& what) {
    write_file(path, bytes);
    {
      Log reader = Log::open_read(path);  // a reader serves the prefix and cuts nothing
      EXPECT_EQ(reader.event_count(), 19u) << what;
    }
    EXPECT_EQ(read_file(path), bytes) << what;
    Log log = Log::open(path);
    EXPECT_EQ(log.event_count(), 19u) << what;
    EXPECT_EQ(log.recovery().valid_end, last) << what;
    EXPECT_EQ(log.recovery().torn_bytes, bytes.size() - last) << what;
    EXPECT_EQ(read_file(path).size(), last) << what;
    log.append({.key = "after", .timestamp = 1, .data = "x"});
    log.close();
    EXPECT_EQ(Log::open_read(path).event_count(), 20u) << what;
  };
  for (uint64_t cut = last + 1; cut < offsets[20]; cut += 1 + rng() % 7) {
    check_recovers(whole.substr(0, cut), "cut at " + std::to_string(cut));
  }
  check_recovers(whole.substr(0, last) + std::string(100, '\0'), "zero-filled tail");
  std::string garbage(300, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  check_recovers(whole.substr(0, last) + garbage, "garbage tail");
  std::string torn = whole;
  torn[last + 20] ^= 1;  // the last record itself is bad: still a tail, nothing sound follows
  check_recovers(torn, "bad last record");
}

TEST(Log, DamageInTheMiddleIsAnErrorWithItsOffset) {
  TempDir dir;
  const std::string path = dir.path("a.log");
  const std::vector<uint64_t> offsets = fill(path, 30);
  const std::string whole = read_file(path);
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 60; trial++) {
    const size_t rec = rng() % 29;  // not the last: something sound follows
    const uint64_t pos = offsets[rec] + rng() % (offsets[rec + 1] - offsets[rec]);
    std::string bad = whole;
    bad[pos] ^= static_cast<char>(1 + rng() % 255);
    write_file(path, bad);
    for (int writer = 0; writer < 2; writer++) {
      try {
        if (writer) Log::open(path); else Log::open_read(path);
        ADD_FAILURE() << "damage at " << pos << " was not reported";
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), Errc::corrupt) << e.what();
        EXPECT_EQ(e.offset(), offsets[rec]) << e.what();
        EXPECT_NE(std::string(e.what()).find("damage"), std::string::npos) << e.what();
      }
    }
    EXPECT_EQ(read_file(path), bad);  // nothing was cut
  }
  // A damaged header is reported at offset 0.
  std::string bad = whole;
  bad[3] = 'x';
  write_file(path, bad);
  try {
    Log::open_read(path);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::corrupt);
    EXPECT_EQ(e.offset(), 0u);
  }
}

TEST(Log, OneWriterAtATime) {
  TempDir dir;
  const std::string path = dir.path("a.log");
  Log first = Log::open(path);
  try {
    Log::open(path);
    ADD_FAILURE() << "a second writer opened the log";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_NE(std::string(e.what()).find("locked"), std::string::npos) << e.what();
  }
  Log reader = Log::open_read(path);  // readers need no lock
  EXPECT_THROW(reader.append({.key = "k"}), Error);
  first.close();
  Log second = Log::open(path);
}

TEST(Log, ReadersAndTailFollowALiveWriter) {
  TempDir dir;
  const std::string path = dir.path("a.log");
  Log w = Log::open(path);
  Log r = Log::open_read(path);
  EXPECT_EQ(r.event_count(), 0u);
  uint64_t from = 0;
  std::vector<std::string> seen;
  for (int batch = 0; batch < 5; batch++) {
    for (int i = 0; i < 10; i++) {
      std::string data = std::to_string(batch * 10 + i);
      w.append({.key = "k" + std::to_string(i % 3), .timestamp = i, .data = data});
    }
    w.flush();
    EXPECT_EQ(r.refresh(), 10u);
    LogTail t = r.tail(from);
    while (t.next()) {
      seen.emplace_back(t.entry().data);
      from = t.entry().end;
    }
    EXPECT_EQ(r.find("k1")->event_count(), w.find("k1")->event_count());
  }
  ASSERT_EQ(seen.size(), 50u);
  for (int i = 0; i < 50; i++) EXPECT_EQ(seen[i], std::to_string(i));
  EXPECT_EQ(r.refresh(), 0u);
}

TEST(Log, BadEventsAreRefusedAndTheLogGoesOn) {
  TempDir dir;
  Log log = Log::open(dir.path("a.log"));
  EXPECT_THROW(log.append({.key = ""}), Error);
  EXPECT_THROW(log.append({.key = std::string(70000, 'k')}), Error);
  log.append({.key = "ok", .timestamp = 1});
  EXPECT_EQ(log.event_count(), 1u);
  log.close();
  EXPECT_EQ(Log::open_read(dir.path("a.log")).event_count(), 1u);
}

TEST(Log, NotALog) {
  TempDir dir;
  write_file(dir.path("x.log"), "hello, this is not a log at all");
  try {
    Log::open_read(dir.path("x.log"));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::corrupt);
    EXPECT_NE(std::string(e.what()).find("magic"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Log::open_read(dir.path("missing.log")), Error);
}

}  // namespace
}  // namespace esdb::test
