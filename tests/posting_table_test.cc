// The writer's per-key posting table against a std::map model: the same
// lists, in (name, value) byte order, across growth, reuse after clear(),
// and entries whose first 8 bytes agree (the sort's prefix shortcut).
#include "lib/posting_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace esdb::test {
namespace {

using Model = std::map<std::pair<std::string, std::string>, std::vector<uint64_t>>;

void expect_same(const PostingTable& t, const Model& m) {
  std::vector<const PostingTable::Entry*> sorted;
  t.sorted(sorted);
  ASSERT_EQ(sorted.size(), m.size());
  size_t i = 0;
  for (const auto& [entry, ordinals] : m) {
    const PostingTable::Entry& e = *sorted[i++];
    EXPECT_EQ(t.name(e), entry.first);
    EXPECT_EQ(t.value(e), entry.second);
    PostingBuilder want;
    for (uint64_t o : ordinals) want.add(o);
    EXPECT_EQ(e.postings.count(), want.count());
    EXPECT_EQ(e.postings.first(), want.first());
    EXPECT_EQ(e.postings.last(), want.last());
    EXPECT_EQ(e.postings.deltas(), want.deltas());
  }
}

// Names and values that collide on their first 8 bytes, differ in length by
// a trailing NUL, or are empty.
std::string tricky(std::mt19937_64& rng) {
  static const std::vector<std::string> stems = {"", "a", "ab", std::string("ab\0", 3), "abcdefgh", "abcdefghi",
                                                 "abcdefgz", "abcdefghij", "b", "\xff", std::string(8, '\0')};
  std::string s = stems[rng() % stems.size()];
  if (rng() % 3 == 0) s += std::to_string(rng() % 50);
  return s;
}

TEST(PostingTable, MatchesAMapAcrossKeys) {
  std::mt19937_64 rng(7);
  PostingTable t;
  for (int key = 0; key < 30; key++) {
    Model m;
    const uint64_t events = rng() % 2000;
    for (uint64_t ordinal = 0; ordinal < events; ordinal++) {
      const int entries = static_cast<int>(rng() % 4);
      for (int j = 0; j < entries; j++) {
        const std::string name = tricky(rng), value = tricky(rng);
        t.add(name, value, ordinal);
        std::vector<uint64_t>& list = m[{name, value}];
        if (list.empty() || list.back() != ordinal) list.push_back(ordinal);
        if (rng() % 5 == 0) t.add(name, value, ordinal);  // repeated in one event: counts once
      }
    }
    expect_same(t, m);
    t.clear();
    EXPECT_TRUE(t.empty());
  }
}

}  // namespace
}  // namespace esdb::test
