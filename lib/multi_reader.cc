// Several files read as one: a key's parts are found with one probe per file
// and their scans merged lazily with a heap; keys() merges the files' sorted
// key tables.

#include <algorithm>

#include "esdb/partitioned_archive.h"
#include "esdb/esdb.h"
#include "scan_state.h"

namespace esdb {
namespace detail {

// Merges one scan per part by (group, timestamp), ties in file order; a
// reverse scan is the exact mirror.
class MergedScan final : public EventSource {
 private:
  // std heaps put the greatest on top, so "less" means "comes later".
  struct Order {
    const MergedScan* m;
    bool operator()(size_t a, size_t b) const {
      const Event& x = m->scans_[a].event();
      const Event& y = m->scans_[b].event();
      int c = x.group.compare(y.group);
      if (c == 0) c = x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : 0;
      if (c == 0) c = a < b ? -1 : a > b ? 1 : 0;
      return m->reverse_ ? c < 0 : c > 0;
    }
  };
  Order order() const { return Order{this}; }

 public:
  MergedScan(const std::vector<MultiKey::Part>& parts, const ScanOptions& o) : reverse_(o.reverse) {
    for (const auto& p : parts) scans_.push_back(p.key.scan(o));
    for (size_t i = 0; i < scans_.size(); i++) {
      if (scans_[i].next()) heap_.push_back(i);
    }
    std::make_heap(heap_.begin(), heap_.end(), order());
  }

  bool next() override {
    if (top_ != kNone) {  // advance the scan that produced the last event
      if (scans_[top_].next()) {
        heap_.push_back(top_);
        std::push_heap(heap_.begin(), heap_.end(), order());
      }
      top_ = kNone;
    }
    if (heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), order());
    top_ = heap_.back();
    heap_.pop_back();
    return true;
  }
  const Event& event() const override { return scans_[top_].event(); }

 private:
  static constexpr size_t kNone = ~size_t{0};
  bool reverse_;
  std::vector<Scan> scans_;
  std::vector<size_t> heap_;
  size_t top_ = kNone;
};

}  // namespace detail

uint64_t MultiKey::event_count() const {
  uint64_t n = 0;
  for (const Part& p : parts_) n += p.key.event_count();
  return n;
}

Scan MultiKey::scan(const ScanOptions& options) const {
  if (parts_.size() == 1) return parts_[0].key.scan(options);
  return Scan(std::make_unique<detail::MergedScan>(parts_, options));
}

MultiReader MultiReader::open(const std::vector<std::string>& paths) {
  if (paths.size() == 1 && is_partitioned_archive(paths[0])) return open_archive(paths[0]);
  std::vector<Reader> readers;
  readers.reserve(paths.size());
  for (const std::string& p : paths) readers.push_back(Reader::open(p));
  return MultiReader(std::move(readers));
}

std::optional<MultiKey> MultiReader::find(std::string_view key) const {
  if (partitioned_) {
    const size_t i = partition_of(key, readers_.size());
    auto k = readers_[i].find(key);
    if (!k) return std::nullopt;
    return MultiKey({{i, std::move(*k)}});
  }
  std::vector<MultiKey::Part> parts;
  for (size_t i = 0; i < readers_.size(); i++) {
    if (auto k = readers_[i].find(key)) parts.push_back({i, std::move(*k)});
  }
  if (parts.empty()) return std::nullopt;
  return MultiKey(std::move(parts));
}

MultiKeyRange::iterator::iterator(const std::vector<Reader>& readers) {
  for (const Reader& r : readers) its_.push_back(r.keys().begin());
  ++*this;
}

MultiKeyRange::iterator& MultiKeyRange::iterator::operator++() {
  // Files hold few keys in common or many; a linear pass over the files per
  // key is cheap next to opening the key dirs.
  const Key* least = nullptr;
  for (const auto& it : its_) {
    if (it == KeyRange::End{}) continue;
    if (!least || it->name() < least->name()) least = &*it;
  }
  if (!least) {
    current_.reset();
    return *this;
  }
  std::string name(least->name());
  std::vector<MultiKey::Part> parts;
  for (size_t i = 0; i < its_.size(); i++) {
    if (its_[i] == KeyRange::End{} || its_[i]->name() != name) continue;
    parts.push_back({i, *its_[i]});
    ++its_[i];
  }
  current_.emplace(MultiKey(std::move(parts)));
  return *this;
}

}  // namespace esdb
