// A directory as an archive: immutable esdb files sealed from ingest logs,
// plus the log being appended to, read as one.
//
//   DIR/LOCK                         flock'ed by the one writer (Archive)
//   DIR/<seq>.log                    an ingest log (seq: 20 decimal digits)
//   DIR/<seq>.esdb                   log <seq> sealed
//
// The naming rule makes every crash decidable: log <seq> is sealed into
// <seq>.esdb by esdb::Writer (written beside it, fsynced, renamed into
// place), and only then is <seq>.log removed. So when both exist the esdb
// file is complete and is the truth (the log is a leftover that opening
// removes); when only the log exists, the seal never finished and the log is
// the truth. Readers apply the same rule and so never count an event twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "esdb/esdb.h"
#include "esdb/log.h"

namespace esdb {

struct ArchiveOptions {
  LogOptions log;
  WriterOptions writer;                // for sealed files
  uint64_t roll_size = 0;              // seal the log once it is this many bytes; 0 = never
  std::chrono::milliseconds roll_age{0};  // seal the log this long after its first append; 0 = never
};

// The one writer of a directory.
class Archive {
 public:
  // Creates the directory if missing and locks it (a second writer gets
  // Errc::io "locked"). Finishes or undoes any seal a crash interrupted,
  // seals every log but the newest, and opens the newest for appending.
  static Archive open(const std::string& dir, const ArchiveOptions& options = {});
  Archive(Archive&&) noexcept;
  Archive& operator=(Archive&&) noexcept;
  ~Archive();

  // Appends to the open log, then rolls it if roll_size or roll_age says so:
  // the next log starts at once and the full one is sealed on a background
  // thread (one at a time; a roll while one runs waits for it). A failed
  // background seal is thrown by the next append/flush/roll_if_due/roll/close
  // before it does anything (the log stays, and the next open seals it).
  void append(const EventInput& event);
  // Returns once every event appended is durable (in a log or a sealed file);
  // it does not wait for a background seal.
  void flush();
  // Rolls the log if roll_age says so (for callers idle between appends).
  void roll_if_due();
  // Seals the open log into <seq>.esdb and starts <seq+1>.log, and returns
  // once it (and any background seal) is done. An empty log is left as it
  // is. Returns the sealed file's path, or "" if nothing was sealed.
  std::string roll();
  // Seals the open log and releases the directory.
  void close_and_seal();
  // Flushes, waits for a background seal and releases the directory.
  void close();

  Log& log();
  const std::string& dir() const;
  // What opening found: the logs it recovered torn tails from, and seals done.
  const std::vector<std::string>& notes() const;

 private:
  struct Impl;
  explicit Archive(std::unique_ptr<Impl>);
  std::unique_ptr<Impl> impl_;
};

// One key across the sealed files and the logs of a directory.
class DirKey {
 public:
  std::string_view name() const { return name_; }
  uint64_t event_count() const;
  // Every group name of the key, byte-wise sorted.
  const std::vector<std::string>& groups() const { return groups_; }
  // The parts' scans merged by (group, timestamp); equal timestamps in
  // sequence order (the order they were appended).
  Scan scan(const ScanOptions& options = {}) const;

 private:
  friend class DirReader;
  std::string name_;
  std::vector<std::variant<Key, LogKey>> parts_;  // in sequence order
  std::vector<std::string> groups_;
};

// A consistent view of a directory: the sealed files and logs present when
// it was opened. Another process may append, seal and roll meanwhile.
class DirReader {
 public:
  static DirReader open(const std::string& dir);
  std::optional<DirKey> find(std::string_view key) const;
  // Byte-wise sorted, each once.
  std::vector<std::string> keys() const;
  const std::vector<std::string>& sealed_paths() const { return sealed_paths_; }
  const std::vector<Log>& logs() const { return logs_; }

 private:
  std::vector<std::string> sealed_paths_;
  std::vector<uint64_t> sealed_seqs_;
  std::vector<Reader> sealed_;
  std::vector<uint64_t> log_seqs_;
  std::vector<Log> logs_;
};

// True if `path` is a directory (the CLI reads it as an archive).
bool is_archive_dir(const std::string& path);

}  // namespace esdb
