// The sorter on its own: file order is (key, group, timestamp, order of add),
// whatever the budget, including inputs that spill more runs than one merge
// may read at once (merged in passes).
#include "lib/sorter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "lib/huge_pages.h"
#include "lib/sort_buffer.h"
#include "test_util.h"

namespace esdb::test {
namespace {

struct Row {
  std::string key, group;
  int64_t ts;
  std::string data;
  std::vector<std::pair<std::string, std::string>> indexes;
  bool operator==(const Row&) const = default;
};

std::vector<Row> rows(size_t n, size_t data_size) {
  std::mt19937_64 rng(42);
  std::vector<Row> out;
  for (size_t i = 0; i < n; i++) {
    Row r{"k" + std::to_string(rng() % 40), rng() % 3 ? "" : "g", static_cast<int64_t>(rng() % 50),
          std::to_string(i) + std::string(data_size, 'x'), {}};
    if (i % 3 == 0) r.indexes.push_back({"type", i % 2 ? "a" : "b"});
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Row> sort_with(const std::vector<Row>& in, const std::string& near, size_t budget, size_t* runs,
                          bool background = false, bool* last_in_memory = nullptr) {
  Sorter s(near, budget, background);
  for (const Row& r : in) {
    EventInput e{.key = r.key, .timestamp = r.ts, .data = r.data, .group = r.group};
    for (const auto& [name, value] : r.indexes) e.indexes.push_back({name, value});
    s.add(e);
  }
  *runs = s.spilled_runs();
  std::vector<Row> out;
  s.drain([&](const SortedEvent& e) {
    Row r{std::string(e.key), std::string(e.group), e.timestamp, std::string(e.data), {}};
    for (const IndexEntry& x : e.indexes) r.indexes.emplace_back(x.name, x.value);
    out.push_back(std::move(r));
  });
  if (last_in_memory) *last_in_memory = s.merged_last_buffer_in_memory();
  return out;
}

std::vector<Row> expected(std::vector<Row> in) {
  std::stable_sort(in.begin(), in.end(), [](const Row& a, const Row& b) {
    return std::tie(a.key, a.group, a.ts) < std::tie(b.key, b.group, b.ts);
  });
  return in;
}

TEST(Sorter, InMemory) {
  TempDir t;
  std::vector<Row> in = rows(5000, 20);
  size_t runs = 0;
  EXPECT_EQ(sort_with(in, t.path("x.esdb"), 64 << 20, &runs), expected(in));
  EXPECT_EQ(runs, 0u);
}

TEST(Sorter, SpilledRunsMergedInOnePass) {
  TempDir t;
  std::vector<Row> in = rows(20000, 200);
  size_t runs = 0;
  EXPECT_EQ(sort_with(in, t.path("x.esdb"), 1 << 20, &runs), expected(in));
  EXPECT_GT(runs, 1u);
  EXPECT_LE(runs, 16u);
}

// A 1 MiB budget reads at most 16 runs at once (64 KiB windows): 40 runs
// take a pass that merges them into 3 before the final merge.
TEST(Sorter, ManyRunsMergedInPasses) {
  TempDir t;
  std::vector<Row> in = rows(100000, 400);
  size_t runs = 0;
  EXPECT_EQ(sort_with(in, t.path("x.esdb"), 1 << 20, &runs), expected(in));
  EXPECT_GT(runs, 16u);
  EXPECT_TRUE(std::filesystem::is_empty(t.dir())) << "runs are anonymous files";
}

// Spilling on a second thread while the other buffer fills: the same order,
// ties included, over enough runs to need a merge pass.
TEST(Sorter, BackgroundSpills) {
  TempDir t;
  std::vector<Row> in = rows(100000, 400);
  size_t runs = 0;
  EXPECT_EQ(sort_with(in, t.path("x.esdb"), 1 << 20, &runs, true), expected(in));
  EXPECT_GT(runs, 16u);
  EXPECT_TRUE(std::filesystem::is_empty(t.dir()));
}

// Half the budget per buffer: an input under the whole budget but over half
// of it spills, and still comes out in order.
TEST(Sorter, BackgroundSmallInput) {
  TempDir t;
  std::vector<Row> in = rows(3000, 200);
  size_t runs = 0;
  EXPECT_EQ(sort_with(in, t.path("x.esdb"), 1 << 20, &runs, true), expected(in));
  EXPECT_GE(runs, 1u);
}

// The final merge runs on its own thread (batch_queue.h): a caller that
// stops part way (its callback throws) gets its exception, and the merging
// thread is stopped and joined, not left blocked on a full queue.
TEST(Sorter, BackgroundMergeStopsWhenTheCallerThrows) {
  TempDir t;
  std::vector<Row> in = rows(60000, 400);
  for (size_t stop_at : {size_t{0}, size_t{1000}, in.size() - 1}) {
    Sorter s(t.path("x.esdb"), 1 << 20, true);
    for (const Row& r : in) s.add(EventInput{.key = r.key, .timestamp = r.ts, .data = r.data, .group = r.group});
    ASSERT_GT(s.spilled_runs(), 1u);
    size_t seen = 0;
    EXPECT_THROW(s.drain([&](const SortedEvent&) {
      if (seen++ == stop_at) throw std::runtime_error("stop");
    }),
                 std::runtime_error);
    EXPECT_EQ(seen, stop_at + 1);
  }
  EXPECT_TRUE(std::filesystem::is_empty(t.dir()));
}

// The last buffer is merged from memory, not spilled, when the read windows
// can spare what it holds: the same order (it is last to win ties), in the
// foreground and beside the background merge's batches.
TEST(Sorter, LastBufferMergedFromMemory) {
  TempDir t;
  std::vector<Row> in = rows(20000, 400);  // ~10 MB with entries
  for (bool background : {false, true}) {
    size_t runs = 0;
    bool in_memory = false;
    EXPECT_EQ(sort_with(in, t.path("x.esdb"), 8 << 20, &runs, background, &in_memory), expected(in)) << background;
    EXPECT_GE(runs, 1u) << background;
    EXPECT_TRUE(in_memory) << background;
  }
  EXPECT_TRUE(std::filesystem::is_empty(t.dir()));
}

// When keeping it would cost the read windows a merge pass, the last buffer
// is spilled like the others (a 1 MiB budget is one buffer, in the
// foreground): the order is the same either way.
TEST(Sorter, LastBufferSpilledWhenTheWindowsNeedItsMemory) {
  TempDir t;
  std::vector<Row> in = rows(100000, 400);
  size_t runs = 0;
  bool in_memory = true;
  EXPECT_EQ(sort_with(in, t.path("x.esdb"), 1 << 20, &runs, false, &in_memory), expected(in));
  EXPECT_GT(runs, 16u);
  EXPECT_FALSE(in_memory);
}

// A caller that throws while the last buffer is merged from memory: its
// exception, the merger joined, nothing left behind.
TEST(Sorter, ThrowWhileMergingTheLastBufferFromMemory) {
  TempDir t;
  std::vector<Row> in = rows(20000, 400);
  for (bool background : {false, true}) {
    for (size_t stop_at : {size_t{0}, size_t{5000}, in.size() - 1}) {
      Sorter s(t.path("x.esdb"), 8 << 20, background);
      for (const Row& r : in) s.add(EventInput{.key = r.key, .timestamp = r.ts, .data = r.data, .group = r.group});
      size_t seen = 0;
      EXPECT_THROW(s.drain([&](const SortedEvent&) {
        if (seen++ == stop_at) throw std::runtime_error("stop");
      }),
                   std::runtime_error);
      EXPECT_EQ(seen, stop_at + 1);
      EXPECT_TRUE(s.merged_last_buffer_in_memory());
    }
  }
  EXPECT_TRUE(std::filesystem::is_empty(t.dir()));
}

// The caller's idle work runs only while the merge has nothing for it: the
// events and their order do not depend on how often it ran (which timing
// decides, so it is not asserted).
TEST(Sorter, IdleWorkLeavesTheOrderAlone) {
  TempDir t;
  std::vector<Row> in = rows(20000, 400);
  Sorter s(t.path("x.esdb"), 2 << 20, true);
  for (const Row& r : in) s.add(EventInput{.key = r.key, .timestamp = r.ts, .data = r.data, .group = r.group});
  std::vector<Row> out;
  size_t idle_calls = 0;
  s.drain(
      [&](const SortedEvent& e) {
        out.push_back(Row{std::string(e.key), std::string(e.group), e.timestamp, std::string(e.data), {}});
      },
      [&] { return ++idle_calls % 3 != 0; });  // "did some work" twice, then lets the merge be waited for
  std::vector<Row> want = expected(in);
  for (Row& r : want) r.indexes.clear();
  EXPECT_EQ(out, want);
}

// A buffer grown past its first (1 MiB) blocks continues in 2 MiB ones, and
// events larger than any block get their own; refilled after reset() with
// other sizes, blocks of every size are reused or replaced and nothing mixes.
TEST(SortBuffer, MixedBlockSizesKeepEveryRecordAcrossRefills) {
  SortBuffer b;
  for (int fill = 0; fill < 3; fill++) {
    std::vector<std::string> keys, datas;
    std::mt19937_64 rng(fill);
    size_t total = 0;
    for (int i = 0; total < (24u << 20); i++) {
      const size_t size = i % 97 == 5 ? (3u << 20) + rng() % 1000 : rng() % (fill == 1 ? 200000 : 3000);
      keys.push_back("k" + std::to_string(rng() % 1000));
      datas.push_back(std::string(size, static_cast<char>('a' + i % 26)));
      total += size;
    }
    for (size_t i = 0; i < keys.size(); i++)
      b.add(EventInput{.key = keys[i], .timestamp = static_cast<int64_t>(i), .data = datas[i]});
    b.sort();
    ASSERT_EQ(b.entries().size(), keys.size());
    std::vector<std::pair<std::string, size_t>> want, got;
    for (size_t i = 0; i < keys.size(); i++) want.emplace_back(keys[i], i);
    std::stable_sort(want.begin(), want.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (const SortBuffer::Entry& e : b.entries()) {
      const size_t i = static_cast<size_t>(e.ts);
      ASSERT_LT(i, datas.size());
      // rest = varint(0 index entries) | varint(data size) | data
      EXPECT_TRUE(e.rest().ends_with(datas[i])) << "event " << i << " of fill " << fill;
      got.emplace_back(std::string(e.key()), i);
    }
    EXPECT_EQ(got, want) << "fill " << fill;
    b.reset();
  }
}

// Blocks of a huge page or more are aligned to it and carry the kernel's
// huge-page advice (VmFlags "hg" in smaps), whatever THP then does with it.
TEST(HugePages, LargeAllocationsAreAlignedAndAdvised) {
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage"))
    GTEST_SKIP() << "a kernel without transparent huge pages refuses the advice";
  const size_t n = 3 * kHugePage;
  void* p = allocate_maybe_huge(n);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kHugePage, 0u);
  const uintptr_t at = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false, advised = false;
  while (std::getline(smaps, line)) {
    unsigned long lo, hi;
    char perms[5];
    if (std::sscanf(line.c_str(), "%lx-%lx %4s", &lo, &hi, perms) == 3) {  // a mapping's first line
      inside = lo <= at && at < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      advised = (line + " ").find(" hg ") != std::string::npos;
    }
  }
  EXPECT_TRUE(advised) << "no MADV_HUGEPAGE on the block's mapping";
  free_maybe_huge(p, n);
  void* small = allocate_maybe_huge(1000);
  EXPECT_NE(small, nullptr);
  free_maybe_huge(small, 1000);
}

}  // namespace
}  // namespace esdb::test
