// A key's events in timestamp order across its groups.
//
// The library stores and scans a key group by group ((group, timestamp,
// order of add)), but `get` and `scan` promise "oldest first". For a key with
// several groups (and no --group) this merges one scan per group by
// timestamp; equal timestamps come in stored group order, and --reverse
// gives exactly the reverse. Only each group's current event is held, so
// output still streams.
//
// A MultiKey (several files) is read the same way over the union of its
// files' groups, each group's scan already merged across the files with
// equal timestamps in file order. So the order is (timestamp, group, file),
// exactly what `get` prints for the file `esdb merge` makes of those files.
#pragma once

#include <string_view>
#include <vector>

#include "esdb/archive.h"
#include "esdb/esdb.h"

namespace esdb::cli {

class TimeOrderedScan {
 public:
  // `options` (and the strings it views) must outlive the scan.
  TimeOrderedScan(const Key& key, const ScanOptions& options);
  TimeOrderedScan(const MultiKey& key, const ScanOptions& options);
  TimeOrderedScan(const DirKey& key, const ScanOptions& options);  // an archive directory

  // Moves to the next event; false at the end.
  bool next();
  const Event& event() const { return scans_[current_].event(); }

 private:
  // One scan per name in `groups` (byte-wise sorted, as files store them),
  // or a single scan when --group chose one or there is at most one.
  template <class K>
  void open(const K& key, const std::vector<std::string_view>& groups, const ScanOptions& options);
  bool before(size_t a, size_t b) const;  // does scan a's event come first?

  std::vector<Scan> scans_;
  std::vector<size_t> heap_;  // scans with an event waiting, first on top
  size_t current_ = 0;
  bool started_ = false;
  bool reverse_;
};

}  // namespace esdb::cli
