// The posting lists of one key being written, by index entry (name, value).
// A flat open-addressing table over entries whose bytes sit in one arena,
// cleared and refilled key after key: once the table has met a key as large,
// a key costs no allocation. (An unordered_map of "name_len|name|value"
// strings cost a string build, a hash and often a node per event entry, and
// a map per key: ~15% of the writer thread in finish(), BENCHMARKS.md
// "Build speed, part 3".)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "postings.h"
#include "sub_blocks.h"

namespace esdb {

class PostingTable {
 public:
  struct Entry {
    size_t name_offset;  // into the arena; the value follows the name
    uint32_t name_size, value_size;
    uint64_t hash;
    // The first 8 bytes of name and value, big-endian, zero-padded: they
    // settle most comparisons of the sort without reaching the arena.
    uint64_t name_prefix, value_prefix;
    size_t slot;
    PostingBuilder postings;
    // The covering copy of the entry's events (key_block_builder.cc), if its
    // name is covered and it has not outgrown the copy's limits.
    // copying: while sparse (a covered name); pinned: whatever its share.
    enum class Cover : uint8_t { undecided, copying, pinned, off };
    Cover cover = Cover::undecided;
    uint64_t cover_count = 0;
    int64_t cover_last_ts = 0;
    uint64_t cover_last_ordinal = 0;
    std::string cover_events;
    size_t cover_sub_start = 0;       // where the copy's current sub-block starts
    std::vector<SubEnd> cover_subs;   // the sub-blocks closed before it
  };

  // Adds `ordinal` to the entry's list and returns the entry; an entry
  // repeated within one event (the same ordinal again) counts once.
  Entry& add(std::string_view name, std::string_view value, uint64_t ordinal);
  size_t size() const { return used_; }
  bool empty() const { return used_ == 0; }
  // The entries in (name, value) order, the order of the index block.
  // Pointers hold until the next add() or clear().
  void sorted(std::vector<const Entry*>& out) const;
  std::string_view name(const Entry& e) const { return {arena_.data() + e.name_offset, e.name_size}; }
  std::string_view value(const Entry& e) const { return {arena_.data() + e.name_offset + e.name_size, e.value_size}; }
  // Forgets every entry, keeping the memory for the next key.
  void clear();
  // Bytes held, capacity included (to decide whether to keep it for reuse).
  size_t capacity_bytes() const;

 private:
  void grow();

  std::string arena_;
  std::vector<Entry> entries_;  // [0, used_) live; the rest keep their deltas' capacity
  size_t used_ = 0;
  std::vector<uint32_t> slots_;  // entry index + 1, 0 empty; a power of two long
};

}  // namespace esdb
