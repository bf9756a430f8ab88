#include <gtest/gtest.h>

#include "test_util.h"

namespace esdb::test {
namespace {

TEST(Basic, WriteFindScanReverseIndex) {
  TempDir t;
  Model m;
  m.add({"1", 1403534919, R"({"url":"/"})", "", {{"type", "page"}}});
  m.add({"1", 1403534920, R"({"button":"Checkout"})", "", {{"type", "click"}}});
  m.add({"1", 1403534923, R"({"total":42.99})", "", {{"type", "purchase"}}});
  m.add({"2", 1403534919, R"({"url":"/"})", "", {{"type", "page"}}});
  m.add({"1", 1403534921, R"({"url":"/checkout"})", "", {{"type", "page"}}});
  FileStats s = write_model(m, t.path("a.esdb"));
  EXPECT_EQ(s.key_count, 2u);
  EXPECT_EQ(s.event_count, 5u);
  Reader r = Reader::open(t.path("a.esdb"));
  auto k = r.find("1");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->event_count(), 4u);
  for (bool rev : {false, true}) {
    ScanOptions o;
    o.reverse = rev;
    EXPECT_EQ(collect(k->scan(o)), to_got(m.expect("1", o), false));
    o.index = IndexEntry{"type", "page"};
    EXPECT_EQ(collect(k->scan(o)), to_got(m.expect("1", o), false));
  }
  EXPECT_FALSE(r.find("3"));
  EXPECT_TRUE(r.verify().empty());
}

}  // namespace
}  // namespace esdb::test
