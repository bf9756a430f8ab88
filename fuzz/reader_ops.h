// Every read operation of the public API on one file, for fuzz_reader,
// tests/fuzz_regression_test.cc and tests/hostile_test.cc. Each operation
// runs on its own and may fail only with esdb::Error; anything else (another
// exception, a crash, a sanitizer report) escapes to the caller. Every byte
// of every returned view is read, so a view pointing outside the file is
// caught by AddressSanitizer (see Options::heap_copy).
//
// Besides "no crash" there is one semantic oracle: verify() runs first, and
// when it finds no problem the file is sound, so every later operation must
// succeed, every full scan must yield event_count() events (the same ones
// forward and reverse) and every listed key must be found by find(). A
// violation aborts: verify() and the readers disagree about the file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "esdb/esdb.h"
#include "lib/file.h"  // for Options::heap_copy

namespace esdb::fuzz {

// Bounds the work per input (a fuzzed file may claim many keys or values;
// the event count of a scan is bounded by the bytes behind it).
inline constexpr size_t kMaxKeysVisited = 32;
inline constexpr size_t kMaxValuesScanned = 8;
inline constexpr size_t kMaxGroupsScanned = 16;

struct Options {
  // After open, point the reader at an exact-size heap copy of the file
  // instead of the page-rounded mapping, so AddressSanitizer reports a read
  // even one byte past the end (the mapping's last page would hide it).
  bool heap_copy = false;
};

struct State {
  uint64_t sum = 0;
  bool sound = false;  // verify() found nothing: no operation may fail
};

[[noreturn]] inline void disagree(const std::string& what) {
  std::fprintf(stderr, "reader_ops: verify() found no problem, but %s\n", what.c_str());
  std::abort();
}

inline void touch(std::string_view s, uint64_t& sum) {
  for (char c : s) sum = sum * 31 + static_cast<uint8_t>(c);
}

template <class F>
bool attempt(State& st, F&& f) {
  try {
    f();
    return true;
  } catch (const Error& e) {
    if (st.sound) disagree(std::string("an operation failed: ") + e.what());
    return false;
  }
}

// Drains `scan`; returns (timestamp, ordinal) of every event in order.
inline std::vector<std::pair<int64_t, uint64_t>> drain(Scan scan, uint64_t& sum) {
  std::vector<std::pair<int64_t, uint64_t>> seen;
  for (const Event& e : scan) {
    touch(e.key, sum);
    touch(e.group, sum);
    touch(e.data, sum);
    sum += static_cast<uint64_t>(e.timestamp) + e.ordinal;
    for (const IndexEntry& x : e.indexes) {
      touch(x.name, sum);
      touch(x.value, sum);
    }
    seen.emplace_back(e.timestamp, e.ordinal);
  }
  return seen;
}

inline int64_t midpoint(int64_t a, int64_t b) { return a / 2 + b / 2; }

inline void exercise_key(State& st, const Key& k) {
  uint64_t& sum = st.sum;
  touch(k.name(), sum);
  sum += k.event_count() + static_cast<uint64_t>(k.min_timestamp()) + static_cast<uint64_t>(k.max_timestamp());
  // Whole key, both ways, with and without index entries.
  std::vector<std::pair<int64_t, uint64_t>> fwd, rev;
  bool ok_f = attempt(st, [&] { fwd = drain(k.scan(), sum); });
  bool ok_r = attempt(st, [&] { rev = drain(k.scan({.reverse = true, .with_indexes = true}), sum); });
  attempt(st, [&] { drain(k.scan({.with_indexes = true}), sum); });
  if (st.sound && ok_f && ok_r) {
    if (fwd.size() != k.event_count()) disagree("a full scan yields a count other than event_count()");
    if (std::vector(rev.rbegin(), rev.rend()) != fwd) disagree("forward and reverse scans differ");
  }
  // Key-wide time ranges: upper half, lower half reversed, empty, inverted.
  const int64_t kmid = midpoint(k.min_timestamp(), k.max_timestamp());
  attempt(st, [&] { drain(k.scan({.from = kmid}), sum); });
  attempt(st, [&] { drain(k.scan({.to = kmid, .reverse = true}), sum); });
  attempt(st, [&] { drain(k.scan({.from = kmid, .to = kmid}), sum); });
  attempt(st, [&] { drain(k.scan({.from = k.max_timestamp(), .to = k.min_timestamp(), .reverse = true}), sum); });

  std::vector<GroupInfo> groups;
  if (attempt(st, [&] { groups = k.groups(); })) {
    for (size_t i = 0; i < groups.size() && i < kMaxGroupsScanned; i++) {
      const GroupInfo& g = groups[i];
      touch(g.name, sum);
      for (bool reverse : {false, true}) {
        attempt(st, [&] { drain(k.scan({.group = g.name, .reverse = reverse, .with_indexes = reverse}), sum); });
      }
      // Half of the group's time range each way.
      const int64_t mid = midpoint(g.min_timestamp, g.max_timestamp);
      attempt(st, [&] { drain(k.scan({.group = g.name, .from = mid}), sum); });
      attempt(st, [&] { drain(k.scan({.group = g.name, .from = g.min_timestamp, .to = mid, .reverse = true}), sum); });
    }
    attempt(st, [&] { drain(k.scan({.group = std::string_view("\xff no such group")}), sum); });
  }
  std::vector<IndexValue> values;
  if (attempt(st, [&] { values = k.index_values(); })) {
    for (size_t i = 0; i < values.size() && i < kMaxValuesScanned; i++) {
      IndexEntry entry{values[i].name, values[i].value};
      touch(entry.name, sum);
      touch(entry.value, sum);
      std::vector<std::pair<int64_t, uint64_t>> ifwd, irev;
      bool ok_if = attempt(st, [&] { ifwd = drain(k.scan({.index = entry}), sum); });
      bool ok_ir = attempt(st, [&] { irev = drain(k.scan({.index = entry, .reverse = true, .with_indexes = true}), sum); });
      if (st.sound && ok_if && ok_ir) {
        if (ifwd.size() != values[i].count) disagree("an index scan yields a count other than IndexValue::count");
        if (std::vector(irev.rbegin(), irev.rend()) != ifwd) disagree("forward and reverse index scans differ");
      }
      attempt(st, [&] { drain(k.scan({.index = entry, .from = kmid, .reverse = true}), sum); });
      attempt(st, [&] { drain(k.scan({.index = entry, .to = kmid}), sum); });
      if (!groups.empty()) attempt(st, [&] { drain(k.scan({.group = groups.back().name, .index = entry}), sum); });
    }
    attempt(st, [&] { drain(k.scan({.index = IndexEntry{"no such", "entry"}}), sum); });
  }
}

// Gives tests access to the reader's File (Reader's only member).
struct ReaderInternals {
  std::shared_ptr<const detail::File> file;
};
static_assert(sizeof(Reader) == sizeof(ReaderInternals));

// Opens `path` and runs everything; returns a digest of what was read.
inline uint64_t exercise_reader(const std::string& path, const Options& options = {}) {
  State st;
  std::unique_ptr<char[]> copy;  // outlives the reader and every Key
  std::optional<Reader> r;
  if (!attempt(st, [&] { r.emplace(Reader::open(path)); })) return st.sum;
  if (options.heap_copy) {
    auto& file = const_cast<detail::File&>(*reinterpret_cast<ReaderInternals&>(*r).file);
    copy.reset(new char[file.size]);
    std::memcpy(copy.get(), file.all.data, file.size);
    file.all.data = copy.get();  // File::all is the whole file, read by every structure
  }
  st.sum += r->stats().key_count + r->stats().event_count;

  std::vector<Problem> problems;
  if (attempt(st, [&] { problems = r->verify(); })) {
    for (const Problem& p : problems) {
      st.sum += p.offset;
      touch(p.what, st.sum);
    }
    st.sound = problems.empty();
  }

  for (std::string_view key : {"a", "k0", "key-1", "customer-1", "", "\xff"}) {
    attempt(st, [&] {
      if (auto k = r->find(key)) exercise_key(st, *k);
    });
  }
  attempt(st, [&] {
    size_t n = 0;
    st.sum += r->keys().size();
    for (const Key& k : r->keys()) {
      if (n++ == kMaxKeysVisited) break;
      attempt(st, [&] {
        auto found = r->find(k.name());
        if (st.sound && (!found || found->name() != k.name())) disagree("find() misses a listed key");
        st.sum += found.has_value();
      });
      exercise_key(st, k);
    }
  });
  return st.sum;
}

}  // namespace esdb::fuzz
