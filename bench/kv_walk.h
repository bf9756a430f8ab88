// The reads RocksDB and LevelDB share: both iterate keys of the kv_key scheme
// through iterators of the same shape (Valid/Next/Prev, key()/value() as
// slices with data()/size()), so each walk is written once here.
#pragma once

#include <string>
#include <string_view>

#include "system.h"

namespace esdb::bench {

template <class Slice>
std::string_view view_of(const Slice& s) {
  return {s.data(), s.size()};
}

// The events of the key whose kv_lower is `lower`, forward from where `it`
// stands (just sought to `lower`); false if there were none.
template <class Iterator>
bool kv_walk_forward(Iterator& it, std::string_view lower, Sink& sink) {
  bool found = false;
  for (; it.Valid() && view_of(it.key()).starts_with(lower); it.Next()) {
    sink.event(kv_timestamp(view_of(it.key())), view_of(it.value()));
    found = true;
  }
  return found;
}

// Newest first from where `it` stands (the key's last event), the events
// whose record contains `pattern`, at most `limit` of them (0: all); false if
// the key has no events at all. The empty pattern matches every record.
template <class Iterator>
bool kv_walk_back_matching(Iterator& it, std::string_view lower, std::string_view pattern, uint64_t limit,
                           Sink& sink) {
  bool found = false;
  uint64_t n = 0;
  for (; it.Valid() && view_of(it.key()).starts_with(lower); it.Prev()) {
    found = true;
    const std::string_view v = view_of(it.value());
    if (v.find(pattern) == std::string_view::npos) continue;
    sink.event(kv_timestamp(view_of(it.key())), v);
    if (++n == limit) break;
  }
  return found;
}

// Every event, in key order.
template <class Iterator>
void kv_walk_all(Iterator& it, Sink& sink) {
  for (it.SeekToFirst(); it.Valid(); it.Next()) sink.event(kv_timestamp(view_of(it.key())), view_of(it.value()));
}

}  // namespace esdb::bench
