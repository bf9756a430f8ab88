// The FILE arguments of the reading commands and merge's inputs. A pattern
// is expanded here as well as by the shell so that it works quoted
// (`esdb get 'days/*.esdb' c-1`), the same way in scripts, cron lines and
// shells that pass an unmatched pattern through unchanged.
#pragma once

#include <string>
#include <vector>

#include "esdb/archive.h"
#include "esdb/partitioned_archive.h"
#include "esdb/esdb.h"

namespace esdb::cli {

// Each argument as given, or, when it holds `*`, `?` or `[` and names no
// existing file, the paths glob(3) matches, sorted byte-wise. A pattern
// matching nothing is a usage error (exit 2) naming it. URLs are kept as
// given, but for s3://bucket/dir/*.esdb patterns, listed by
// esdb::expand_s3_pattern (esdb/remote.h).
std::vector<std::string> expand_file_args(const std::vector<std::string>& args);

// An ingest archive (sealed files + open log, esdb/archive.h): any directory
// that is not a partitioned archive (it has no manifest).
inline bool is_ingest_dir(const std::string& path) {
  return is_archive_dir(path) && !is_partitioned_archive(path);
}

// True when `files` is one plain file, read by a Reader; several files or a
// partitioned archive directory are read by a MultiReader.

inline bool is_single_file(const std::vector<std::string>& files) {
  return files.size() == 1 && !is_partitioned_archive(files[0]);
}

// An ingest archive's keys, byte-wise sorted, each found as a DirKey (its
// sealed files' and logs' parts) when the loop reaches it.
class DirKeyRange {
 public:
  explicit DirKeyRange(const DirReader& reader) : reader_(reader), names_(reader.keys()) {}
  class iterator {
   public:
    iterator(const DirKeyRange* r, size_t i) : r_(r), i_(i) {}
    DirKey operator*() const { return *r_->reader_.find(r_->names_[i_]); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    const DirKeyRange* r_;
    size_t i_;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, names_.size()}; }

 private:
  const DirReader& reader_;
  std::vector<std::string> names_;
};

// Calls `fn` with every key of `files` (a KeyRange, a MultiKeyRange or a
// DirKeyRange): one file is read by a plain Reader, which has no merging to
// do; one ingest directory by a DirReader (sealed files + open log as one).
template <class Fn>
void for_keys_of(const std::vector<std::string>& files, Fn&& fn) {
  if (files.size() == 1 && is_ingest_dir(files[0])) {
    const DirReader reader = DirReader::open(files[0]);
    fn(DirKeyRange(reader));
  } else if (is_single_file(files)) {
    const Reader reader = Reader::open(files[0]);
    fn(reader.keys());
  } else {
    const MultiReader reader = MultiReader::open(files);
    fn(reader.keys());
  }
}

}  // namespace esdb::cli
