// Reading an archive directory as one: the sealed files and the logs the
// naming rule counts, each key's parts merged lazily by (group, timestamp)
// with ties in sequence order, the way MultiReader merges files.
#include <sys/stat.h>

#include <algorithm>

#include "archive_files.h"
#include "esdb/archive.h"
#include "merged_scan.h"

namespace esdb {

bool is_archive_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

uint64_t DirKey::event_count() const {
  uint64_t n = 0;
  for (const auto& p : parts_) std::visit([&](const auto& k) { n += k.event_count(); }, p);
  return n;
}

Scan DirKey::scan(const ScanOptions& options) const {
  std::vector<Scan> scans;
  for (const auto& p : parts_) std::visit([&](const auto& k) { scans.push_back(k.scan(options)); }, p);
  if (scans.size() == 1) return std::move(scans[0]);
  return detail::make_scan(std::make_unique<detail::MergedScan>(std::move(scans), options.reverse));
}

DirReader DirReader::open(const std::string& dir) {
  if (!is_archive_dir(dir)) throw Error(Errc::io, dir, Error::kNoOffset, "not a directory");
  // A writer may seal a log between the listing and its opening: then list
  // again, where the sealed file now stands in for it.
  for (int attempt = 0;; attempt++) {
    DirReader r;
    bool raced = false;
    for (const auto& [seq, f] : detail::list_archive(dir)) {
      if (f.sealed) {
        r.sealed_paths_.push_back(detail::sealed_path(dir, seq));
        r.sealed_seqs_.push_back(seq);
        r.sealed_.push_back(Reader::open(r.sealed_paths_.back()));
      } else {
        try {
          r.logs_.push_back(Log::open_read(detail::log_path(dir, seq)));
          r.log_seqs_.push_back(seq);
        } catch (const Error& e) {
          if (e.code() != Errc::io || attempt >= 10) throw;
          raced = true;
          break;
        }
      }
    }
    if (!raced) return r;
  }
}

std::optional<DirKey> DirReader::find(std::string_view key) const {
  std::vector<std::pair<uint64_t, std::variant<Key, LogKey>>> parts;
  for (size_t i = 0; i < sealed_.size(); i++) {
    if (auto k = sealed_[i].find(key)) parts.emplace_back(sealed_seqs_[i], std::move(*k));
  }
  for (size_t i = 0; i < logs_.size(); i++) {
    if (auto k = logs_[i].find(key)) parts.emplace_back(log_seqs_[i], std::move(*k));
  }
  if (parts.empty()) return std::nullopt;
  std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  DirKey d;
  d.name_ = std::string(key);
  for (auto& [seq, k] : parts) {
    if (const Key* f = std::get_if<Key>(&k)) {
      for (const GroupInfo& g : f->groups()) d.groups_.emplace_back(g.name);
    } else {
      for (const std::string& g : std::get<LogKey>(k).groups()) d.groups_.push_back(g);
    }
    d.parts_.push_back(std::move(k));
  }
  std::sort(d.groups_.begin(), d.groups_.end());
  d.groups_.erase(std::unique(d.groups_.begin(), d.groups_.end()), d.groups_.end());
  return d;
}

std::vector<std::string> DirReader::keys() const {
  std::vector<std::string> names;
  for (const Reader& r : sealed_) {
    for (const Key& k : r.keys()) names.emplace_back(k.name());
  }
  for (const Log& l : logs_) {
    for (std::string& k : l.keys()) names.push_back(std::move(k));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace esdb
