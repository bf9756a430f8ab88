// Posting lists: the ordinals (positions within the key) of the events that
// carry one index entry, ascending.
//
//   header (in the index block): count: varint | first: varint | last: varint
//   deltas: count - 1 varints, each ordinal minus the previous one (>= 1)
//
// LEB128 varints can be read backwards (see format/coding.h), so a cursor
// starts at `last` and walks the deltas from their end for reverse scans:
// newest-first costs the same as oldest-first, with no extra index.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace esdb {

class PostingBuilder {
 public:
  void add(uint64_t ordinal);  // strictly ascending
  // Empties the list, keeping the deltas' memory for reuse.
  void clear() {
    count_ = first_ = last_ = 0;
    deltas_.clear();
  }
  uint64_t count() const { return count_; }
  uint64_t first() const { return first_; }
  uint64_t last() const { return last_; }
  const std::string& deltas() const { return deltas_; }

 private:
  uint64_t count_ = 0, first_ = 0, last_ = 0;
  std::string deltas_;
};

struct PostingList {
  uint64_t count = 0;
  uint64_t first = 0;
  uint64_t last = 0;
  std::string_view deltas;
};

// Walks a posting list in either direction. Every step is checked: deltas of
// zero, ordinals past `first`/`last`, truncated or left-over bytes all stop
// with an error instead of a wrong ordinal.
class PostingCursor {
 public:
  PostingCursor() = default;
  PostingCursor(const PostingList& list, bool reverse);
  bool valid() const { return left_ > 0; }
  uint64_t ordinal() const { return ordinal_; }
  // Moves one step; returns "" or what is wrong.
  std::string advance();

 private:
  PostingList list_;
  bool reverse_ = false;
  const char* p_ = nullptr;
  uint64_t ordinal_ = 0;
  uint64_t left_ = 0;  // ordinals still to yield, counting the current one
};

}  // namespace esdb
