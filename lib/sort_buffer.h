// One in-memory batch of the Sorter's events (record layout in sorter.h):
// records are packed into reusable arena blocks (1 MiB, then 2 MiB in huge
// pages where the kernel gives them: huge_pages.h), and the sort moves a
// small fixed-size Entry per event instead of the records. The Sorter keeps
// two, so one can be sorted and spilled on a second thread while the caller
// fills the other.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "esdb/esdb.h"
#include "huge_pages.h"

namespace esdb {

class SortBuffer {
 public:
  struct Entry {
    const char* record;  // key | group | rest
    uint64_t prefix[2];  // the key's first 16 bytes, big-endian, zero-padded
    int64_t ts;
    uint64_t rest_len;
    uint32_t key_len;
    uint32_t group_len;
    uint32_t seq;  // order of add within the buffer

    std::string_view key() const { return {record, key_len}; }
    std::string_view group() const { return {record + key_len, group_len}; }
    std::string_view rest() const { return {record + key_len + group_len, rest_len}; }
  };

  void add(const EventInput& e);
  // Records, entries and arena slack held: what the memory budget counts.
  size_t bytes() const { return buffered_; }
  bool empty() const { return entries_.empty(); }
  // Puts the entries in file order; stable by order of add. Once sorted,
  // again only after an add.
  void sort();
  std::span<const Entry> entries() const { return entries_; }
  // Forgets the events but keeps the arena blocks (not oversized ones):
  // refilling warm memory beats faulting in fresh pages for every run.
  void reset();
  // Frees everything.
  void release();

 private:
  static bool before(const Entry& a, const Entry& b);
  char* allocate(size_t n);

  size_t buffered_ = 0;
  bool sorted_ = false;
  struct FreeBlock {
    size_t size;
    void operator()(char* p) const { free_maybe_huge(p, size); }
  };
  std::vector<std::unique_ptr<char[], FreeBlock>> arena_;
  size_t arena_used_ = 0;  // blocks of arena_ in use; the rest wait for reuse
  size_t big_blocks_ = 0;
  size_t arena_left_ = 0;
  char* arena_next_ = nullptr;
  std::vector<Entry, HugePageAllocator<Entry>> entries_;
  std::string scratch_;
};

}  // namespace esdb
