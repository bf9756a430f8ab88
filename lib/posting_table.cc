#include "posting_table.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

namespace esdb {

static uint64_t entry_hash(std::string_view name, std::string_view value) {
  // The name seeds the value's hash, so ("ab", "c") and ("a", "bc") differ.
  return XXH3_64bits_withSeed(value.data(), value.size(), XXH3_64bits(name.data(), name.size()));
}

static uint64_t prefix(std::string_view s) {
  unsigned char b[8] = {};
  if (!s.empty()) std::memcpy(b, s.data(), std::min<size_t>(8, s.size()));
  uint64_t v = 0;
  for (unsigned char c : b) v = (v << 8) | c;
  return v;
}

PostingTable::Entry& PostingTable::add(std::string_view name, std::string_view value, uint64_t ordinal) {
  const uint64_t h = entry_hash(name, value);
  if ((used_ + 1) * 2 > slots_.size()) grow();
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(h) & mask;
  for (;; i = (i + 1) & mask) {
    const uint32_t s = slots_[i];
    if (s == 0) break;
    Entry& e = entries_[s - 1];
    if (e.hash == h && this->name(e) == name && this->value(e) == value) {
      if (e.postings.last() != ordinal) e.postings.add(ordinal);
      return e;
    }
  }
  if (used_ == entries_.size()) entries_.emplace_back();
  Entry& e = entries_[used_++];
  e.name_offset = arena_.size();
  e.name_size = static_cast<uint32_t>(name.size());
  e.value_size = static_cast<uint32_t>(value.size());
  e.hash = h;
  e.name_prefix = prefix(name);
  e.value_prefix = prefix(value);
  e.slot = i;
  e.postings.clear();
  e.postings.add(ordinal);
  e.cover = Entry::Cover::undecided;
  e.cover_count = 0;
  e.cover_events.clear();
  e.cover_sub_start = 0;
  e.cover_subs.clear();
  arena_.append(name);
  arena_.append(value);
  slots_[i] = static_cast<uint32_t>(used_);
  return e;
}

// Doubles the slots (at least 64) and places the live entries again.
void PostingTable::grow() {
  const size_t n = std::max<size_t>(64, slots_.size() * 2);
  slots_.assign(n, 0);
  const size_t mask = n - 1;
  for (size_t k = 0; k < used_; k++) {
    size_t i = static_cast<size_t>(entries_[k].hash) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = static_cast<uint32_t>(k + 1);
    entries_[k].slot = i;
  }
}

void PostingTable::sorted(std::vector<const Entry*>& out) const {
  out.clear();
  for (size_t k = 0; k < used_; k++) out.push_back(&entries_[k]);
  // Differing zero-padded prefixes order as the strings do; equal ones
  // ("ab" and "ab\0" too) leave it to the whole strings.
  std::sort(out.begin(), out.end(), [this](const Entry* a, const Entry* b) {
    if (a->name_prefix != b->name_prefix) return a->name_prefix < b->name_prefix;
    if ((a->name_size > 8 || b->name_size > 8 || a->name_size != b->name_size)) {
      if (int c = name(*a).compare(name(*b))) return c < 0;
    }
    if (a->value_prefix != b->value_prefix) return a->value_prefix < b->value_prefix;
    return value(*a) < value(*b);
  });
}

void PostingTable::clear() {
  for (size_t k = 0; k < used_; k++) slots_[entries_[k].slot] = 0;
  used_ = 0;
  arena_.clear();
}

size_t PostingTable::capacity_bytes() const {
  size_t n = arena_.capacity() + entries_.capacity() * sizeof(Entry) + slots_.capacity() * sizeof(uint32_t);
  for (const Entry& e : entries_) n += e.postings.deltas().capacity() + e.cover_events.capacity() + e.cover_subs.capacity() * sizeof(SubEnd);
  return n;
}

}  // namespace esdb
