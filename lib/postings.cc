#include "postings.h"

#include "format/coding.h"

namespace esdb {

void PostingBuilder::add(uint64_t ordinal) {
  if (count_ == 0) {
    first_ = ordinal;
  } else {
    format::put_varint(deltas_, ordinal - last_);
  }
  last_ = ordinal;
  count_++;
}

PostingCursor::PostingCursor(const PostingList& list, bool reverse) : list_(list), reverse_(reverse) {
  left_ = list.count;
  ordinal_ = reverse ? list.last : list.first;
  p_ = reverse ? list.deltas.data() + list.deltas.size() : list.deltas.data();
}

std::string PostingCursor::advance() {
  const char* begin = list_.deltas.data();
  const char* end = begin + list_.deltas.size();
  if (--left_ == 0) {
    if (p_ != (reverse_ ? begin : end)) return "posting list has bytes left over";
    if (ordinal_ != (reverse_ ? list_.first : list_.last)) return "posting list does not end at its bound";
    return "";
  }
  uint64_t d;
  if (!reverse_) {
    format::Cursor c(p_, end);
    if (!c.varint(d)) return "posting list is truncated";
    p_ = c.data();
    if (d == 0 || d > list_.last - ordinal_) return "posting list delta out of range";
    ordinal_ += d;
    return "";
  }
  // Backwards: p_ is just past a varint's last byte; its first byte follows
  // the previous varint's last byte (high bit clear) or is the list's start.
  const char* q = p_;
  if (q == begin || (static_cast<uint8_t>(q[-1]) & 0x80)) return "posting list is truncated";
  q--;
  while (q > begin && (static_cast<uint8_t>(q[-1]) & 0x80)) {
    if (p_ - q >= 10) return "posting list varint too long";
    q--;
  }
  format::Cursor c(q, p_);
  if (!c.varint(d) || !c.empty()) return "posting list varint is malformed";
  if (d == 0 || d > ordinal_ - list_.first) return "posting list delta out of range";
  ordinal_ -= d;
  p_ = q;
  return "";
}

}  // namespace esdb
