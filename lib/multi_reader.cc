// Several files read as one: a key's parts are found with one probe per file
// and their scans merged lazily with a heap; keys() merges the files' sorted
// key tables.

#include <algorithm>

#include "esdb/partitioned_archive.h"
#include "esdb/esdb.h"
#include "merged_scan.h"

namespace esdb {

uint64_t MultiKey::event_count() const {
  uint64_t n = 0;
  for (const Part& p : parts_) n += p.key.event_count();
  return n;
}

Scan MultiKey::scan(const ScanOptions& options) const {
  if (parts_.size() == 1) return parts_[0].key.scan(options);
  std::vector<Scan> scans;
  for (const Part& p : parts_) scans.push_back(p.key.scan(options));
  return Scan(std::make_unique<detail::MergedScan>(std::move(scans), options.reverse));
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
