// Importing files written by the original Go ESDB (tests/goesdb/, made by
// customerio/esdb v1.0.4 from the .jsonl beside them; see README.md there).
//
// The JSON lines are the truth, not what the Go reader returns. The model is
// built here from the lines alone: per (key, grouping) the Go writer stores
// events newest first by the full timestamp, ties in add order (sort.Stable);
// the import reverses that and esdb orders by (group, stored timestamp, add
// order), where the stored timestamp is the full one mod 2^32.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using esdb::test::read_file;
using esdb::test::TempDir;
using esdb::test::write_file;
using Entry = std::pair<std::string, std::string>;

struct Fixture {
  std::string name, key, time, group;  // group "" = no grouping
  std::vector<std::string> indexes;
};

const Fixture kActivity{"activity", "customer", "time", "", {"type"}};
const Fixture kFlights{"flights30k", "origin", "time", "", {"dest"}};
const Fixture kEdge{"edge", "user", "ts", "channel", {"type", "channel"}};

std::string path_of(const std::string& file) { return std::string(ESDB_TEST_DATA_DIR) + "/goesdb/" + file; }

struct Ev {
  std::string group;
  int64_t timestamp;
  std::string data;
  std::vector<Entry> indexes;  // sorted
  bool operator==(const Ev&) const = default;
};

// key -> the events a correct import returns for a full scan, in order.
using Truth = std::map<std::string, std::vector<Ev>>;

Truth truth_of(const Fixture& fx) {
  struct Line {
    int64_t full_ts;
    Ev ev;
  };
  std::map<std::string, std::map<std::string, std::vector<Line>>> by_key_group;
  std::ifstream in(path_of(fx.name + ".jsonl"));
  std::string text;
  while (std::getline(in, text)) {
    if (text.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(text);
    Line l;
    l.full_ts = j.at(fx.time).get<int64_t>();
    l.ev.timestamp = static_cast<int64_t>(static_cast<uint64_t>(l.full_ts) % (uint64_t{1} << 32));
    l.ev.data = text;
    if (!fx.group.empty()) l.ev.group = j.at(fx.group).get<std::string>();
    for (const std::string& name : fx.indexes) {
      if (j.contains(name)) l.ev.indexes.emplace_back(name, j.at(name).get<std::string>());
    }
    std::sort(l.ev.indexes.begin(), l.ev.indexes.end());
    by_key_group[j.at(fx.key).get<std::string>()][l.ev.group].push_back(std::move(l));
  }
  Truth t;
  for (auto& [key, groups] : by_key_group) {
    for (auto& [group, lines] : groups) {
      std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.full_ts > b.full_ts; });
      std::reverse(lines.begin(), lines.end());
      std::stable_sort(lines.begin(), lines.end(),
                       [](const Line& a, const Line& b) { return a.ev.timestamp < b.ev.timestamp; });
      for (Line& l : lines) t[key].push_back(std::move(l.ev));
    }
  }
  return t;
}

std::vector<Ev> scan_all(const esdb::Key& k, const esdb::ScanOptions& base = {}) {
  esdb::ScanOptions o = base;
  o.with_indexes = true;
  std::vector<Ev> out;
  for (const esdb::Event& e : k.scan(o)) {
    Ev ev{std::string(e.group), e.timestamp, std::string(e.data), {}};
    for (const esdb::IndexEntry& x : e.indexes) ev.indexes.emplace_back(x.name, x.value);
    std::sort(ev.indexes.begin(), ev.indexes.end());
    out.push_back(std::move(ev));
  }
  return out;
}

Truth read_back(const std::string& path) {
  esdb::Reader r = esdb::Reader::open(path);
  Truth got;
  for (const esdb::Key& k : r.keys()) got[std::string(k.name())] = scan_all(k);
  return got;
}

// Every key history, every index value's count and every index scan.
void expect_imports_to_truth(const Fixture& fx) {
  const Truth truth = truth_of(fx);
  TempDir dir;
  const std::string out = dir.path("out.esdb");
  const esdb::FileStats s = esdb::import_goesdb({path_of(fx.name + ".esdb")}, out);
  uint64_t lines = 0;
  for (const auto& [key, evs] : truth) lines += evs.size();
  EXPECT_EQ(s.event_count, lines);
  EXPECT_EQ(s.key_count, truth.size());

  esdb::Reader r = esdb::Reader::open(out);
  EXPECT_TRUE(r.verify().empty());
  ASSERT_EQ(r.keys().size(), truth.size());
  for (const auto& [key, evs] : truth) {
    SCOPED_TRACE(key);
    std::optional<esdb::Key> k = r.find(key);
    ASSERT_TRUE(k.has_value());
    ASSERT_EQ(scan_all(*k), evs);
    std::map<Entry, uint64_t> counts;
    for (const Ev& e : evs) {
      for (const Entry& x : e.indexes) counts[x]++;
    }
    std::map<Entry, uint64_t> got_counts;
    for (const esdb::IndexValue& v : k->index_values()) got_counts[{v.name, v.value}] = v.count;
    EXPECT_EQ(got_counts, counts);
    for (const auto& [entry, n] : counts) {
      std::vector<Ev> want;
      for (const Ev& e : evs) {
        if (std::find(e.indexes.begin(), e.indexes.end(), entry) != e.indexes.end()) want.push_back(e);
      }
      esdb::ScanOptions o;
      o.index = esdb::IndexEntry{entry.first, entry.second};
      ASSERT_EQ(scan_all(*k, o), want) << entry.first << "=" << entry.second;
    }
  }
}

TEST(GoEsdbImport, ActivityEqualsItsJsonLines) { expect_imports_to_truth(kActivity); }
TEST(GoEsdbImport, Flights30kEqualsItsJsonLines) { expect_imports_to_truth(kFlights); }
TEST(GoEsdbImport, EdgeEqualsItsJsonLines) { expect_imports_to_truth(kEdge); }

TEST(GoEsdbImport, InspectCountsEveryEventAndIndexEntry) {
  for (const Fixture* fx : {&kActivity, &kFlights, &kEdge}) {
    SCOPED_TRACE(fx->name);
    const Truth truth = truth_of(*fx);
    uint64_t events = 0, entries = 0, bytes = 0;
    std::set<std::pair<std::string, std::string>> groupings;
    std::set<std::pair<std::string, Entry>> sections;
    for (const auto& [key, evs] : truth) {
      for (const Ev& e : evs) {
        events++;
        entries += e.indexes.size();
        bytes += e.data.size();
        groupings.emplace(key, e.group);
        for (const Entry& x : e.indexes) sections.emplace(key, x);
      }
    }
    const esdb::GoFileReport r = esdb::inspect_goesdb(path_of(fx->name + ".esdb"));
    EXPECT_TRUE(r.problems.empty());
    EXPECT_EQ(r.spaces, truth.size());
    EXPECT_EQ(r.events, events);
    EXPECT_EQ(r.index_entries, entries);
    EXPECT_EQ(r.data_bytes, bytes);
    EXPECT_EQ(r.groupings, groupings.size());
    EXPECT_EQ(r.index_sections, sections.size());
    EXPECT_EQ(r.damaged_spaces, 0u);
  }
}

TEST(GoEsdbImport, SeveralInputsKeepTheirOrderOnEqualTimestamps) {
  TempDir dir;
  const std::string in = path_of("activity.esdb");
  esdb::import_goesdb({in, in}, dir.path("twice.esdb"));
  const Truth one = truth_of(kActivity);
  const Truth two = read_back(dir.path("twice.esdb"));
  ASSERT_EQ(two.size(), one.size());
  for (const auto& [key, evs] : one) {
    // Each event twice, the copies adjacent (same group and timestamp).
    std::vector<Ev> want;
    for (size_t i = 0; i < evs.size();) {
      size_t j = i;
      while (j < evs.size() && evs[j].group == evs[i].group && evs[j].timestamp == evs[i].timestamp) j++;
      for (int copy = 0; copy < 2; copy++) want.insert(want.end(), evs.begin() + i, evs.begin() + j);
      i = j;
    }
    EXPECT_EQ(two.at(key), want) << key;
  }
}

TEST(GoEsdbImport, MissingInputCreatesNothing) {
  TempDir dir;
  const std::string out = dir.path("out.esdb");
  try {
    esdb::import_goesdb({path_of("activity.esdb"), dir.path("missing.goesdb")}, out);
    FAIL() << "no error";
  } catch (const esdb::Error& e) {
    EXPECT_EQ(e.code(), esdb::Errc::io);
    EXPECT_EQ(e.path(), dir.path("missing.goesdb"));
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(GoEsdbImport, AnEsdbFileIsNotAGoFile) {
  TempDir dir;
  esdb::import_goesdb({path_of("activity.esdb")}, dir.path("a.esdb"));
  EXPECT_THROW(esdb::import_goesdb({dir.path("a.esdb")}, dir.path("b.esdb")), esdb::Error);
  EXPECT_FALSE(std::filesystem::exists(dir.path("b.esdb")));
}

}  // namespace
