// Several files as one: MultiReader's merged scans and keys, esdb::merge
// (streaming, with and without dedupe) and the sorted_input writer.
#include <gtest/gtest.h>

#include <random>

#include "test_util.h"

namespace esdb::test {
namespace {

// Three files whose key sets overlap partly, with equal timestamps across
// files; `all` gets every event in file order so its stable sort is the
// expected merged order.
struct Fixture {
  TempDir t;
  std::vector<Model> files{3};
  Model all;
  std::vector<std::string> paths;

  Fixture() {
    std::mt19937 rng(11);
    for (int f = 0; f < 3; f++) {
      for (int i = 0; i < 1500; i++) {
        ModelEvent e{"k" + std::to_string(rng() % (10 + 5 * f)), static_cast<int64_t>(rng() % 40),
                     "f" + std::to_string(f) + "-" + std::to_string(i), rng() % 3 ? "" : "g", {}};
        if (rng() % 2) e.indexes.emplace_back("type", rng() % 3 ? "view" : "buy");
        files[f].add(e);
      }
      paths.push_back(t.path("f" + std::to_string(f) + ".esdb"));
      write_model(files[f], paths.back(), {.chunk_size = 300});
    }
    for (const Model& m : files)
      for (const auto& [key, events] : m.keys())
        for (const ModelEvent& e : events) all.add(e);
  }
};

TEST(Multi, FindMergesHistoriesInBothDirections) {
  Fixture fx;
  MultiReader r = MultiReader::open(fx.paths);
  for (const auto& [key, events] : fx.all.keys()) {
    auto k = r.find(key);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->event_count(), events.size());
    for (bool rev : {false, true}) {
      ScanOptions o;
      o.reverse = rev;
      o.with_indexes = true;
      ASSERT_EQ(collect(k->scan(o)), to_got(fx.all.expect(key, o), true)) << key;
      o.with_indexes = false;
      o.index = IndexEntry{"type", "buy"};
      ASSERT_EQ(collect(k->scan(o)), to_got(fx.all.expect(key, o), false)) << key;
      o.index.reset();
      o.group = "g";
      o.from = 10;
      o.to = 30;
      ASSERT_EQ(collect(k->scan(o)), to_got(fx.all.expect(key, o), false)) << key;
    }
  }
  EXPECT_FALSE(r.find("absent"));
}

TEST(Multi, KeysAreTheSortedUnion) {
  Fixture fx;
  MultiReader r = MultiReader::open(fx.paths);
  std::vector<std::string> got;
  for (const MultiKey& k : r.keys()) {
    got.emplace_back(k.name());
    size_t in_files = 0;
    for (const Model& m : fx.files) in_files += m.keys().count(std::string(k.name()));
    EXPECT_EQ(k.parts().size(), in_files);
  }
  std::vector<std::string> expected;
  for (const auto& [key, events] : fx.all.keys()) expected.push_back(key);
  EXPECT_EQ(got, expected);
}

TEST(Multi, MergeStreamsEveryEvent) {
  Fixture fx;
  FileStats s = merge(fx.paths, fx.t.path("merged.esdb"), {.memory_budget = 1});
  EXPECT_EQ(s.event_count, fx.all.in_order().size());
  Reader r = Reader::open(fx.t.path("merged.esdb"));
  EXPECT_TRUE(r.verify().empty());
  for (const auto& [key, events] : fx.all.keys()) {
    ScanOptions o;
    o.with_indexes = true;
    ASSERT_EQ(collect(r.find(key)->scan(o)), to_got(fx.all.expect(key, o), true)) << key;
  }
  // The same events added to an ordinary writer in file order give the same bytes.
  Writer w = Writer::create(fx.t.path("direct.esdb"));
  for (const auto& [key, events] : fx.all.keys())
    for (const ModelEvent& e : events) w.add(e.input());
  w.finish();
  EXPECT_EQ(read_file(fx.t.path("direct.esdb")), read_file(fx.t.path("merged.esdb")));
}

TEST(Multi, MergeDedupe) {
  TempDir t;
  Model a, b;
  a.add({"k", 1, "same", "", {{"t", "x"}}});
  a.add({"k", 1, "other", "", {}});
  a.add({"k", 2, "same", "", {}});
  b.add({"k", 1, "same", "", {}});        // duplicate of a's first
  b.add({"k", 1, "same", "g", {}});       // other group: kept
  b.add({"j", 1, "same", "", {}});        // other key: kept
  write_model(a, t.path("a.esdb"));
  write_model(b, t.path("b.esdb"));
  FileStats s = merge({t.path("a.esdb"), t.path("b.esdb")}, t.path("m.esdb"), {}, {.dedupe = true});
  EXPECT_EQ(s.event_count, 5u);
  Reader r = Reader::open(t.path("m.esdb"));
  std::vector<std::string> data;
  for (const Event& e : r.find("k")->scan()) data.emplace_back(std::string(e.group) + ":" + std::string(e.data));
  EXPECT_EQ(data, (std::vector<std::string>{":same", ":other", ":same", "g:same"}));
  EXPECT_EQ(merge({t.path("a.esdb"), t.path("b.esdb")}, t.path("m2.esdb")).event_count, 6u);
}

TEST(Writer, SortedInputRejectsDisorder) {
  TempDir t;
  Writer w = Writer::create(t.path("f.esdb"), {.sorted_input = true});
  w.add({"a", 5, "", "", {}});
  w.add({"a", 5, "", "", {}});
  w.add({"a", 1, "", "g", {}});
  w.add({"b", -3, "", "", {}});
  EXPECT_THROW(w.add({"b", -4, "", "", {}}), Error);
  EXPECT_THROW(w.add({"a", 9, "", "", {}}), Error);
  EXPECT_EQ(w.finish().event_count, 4u);
}

}  // namespace
}  // namespace esdb::test
