// Several files read as one: a key's parts are found with one probe per file
// and their scans merged lazily with a heap; keys() merges the files' sorted
// key tables.

#include <algorithm>

#include "esdb/partitioned_archive.h"
#include "esdb/esdb.h"
#include "merged_scan.h"
#include "parallel.h"
#include "remote/s3_url.h"

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

// Threads a multi-file lookup of remote files spreads its requests over.
static constexpr size_t kRemoteThreads = 8;

MultiReader::MultiReader(std::vector<Reader> readers) : readers_(std::move(readers)) {
  remote_ = std::any_of(readers_.begin(), readers_.end(), [](const Reader& r) { return remote::is_remote_url(r.path()); });
}

MultiReader MultiReader::open(const std::vector<std::string>& paths) { return open(paths, ReaderOptions{}); }

MultiReader MultiReader::open(const std::vector<std::string>& paths, const ReaderOptions& options) {
  if (paths.size() == 1 && !remote::is_remote_url(paths[0]) && is_partitioned_archive(paths[0])) return open_archive(paths[0]);
  std::vector<std::optional<Reader>> opened(paths.size());
  const bool remote = std::any_of(paths.begin(), paths.end(), [](const std::string& p) { return remote::is_remote_url(p); });
  detail::parallel_for(paths.size(), remote ? kRemoteThreads : 1,
                       [&](size_t i) { opened[i].emplace(Reader::open(paths[i], options)); });
  std::vector<Reader> readers;
  readers.reserve(paths.size());
  for (auto& r : opened) readers.push_back(std::move(*r));
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
  if (remote_ && readers_.size() > 1) {
    // Each probe waits on round trips: send every file's at once.
    std::vector<std::optional<Key>> found(readers_.size());
    detail::parallel_for(readers_.size(), kRemoteThreads, [&](size_t i) { found[i] = readers_[i].find(key); });
    for (size_t i = 0; i < found.size(); i++) {
      if (found[i]) parts.push_back({i, std::move(*found[i])});
    }
  } else {
    for (size_t i = 0; i < readers_.size(); i++) {
      if (auto k = readers_[i].find(key)) parts.push_back({i, std::move(*k)});
    }
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
