// esdb ingest logs: events appended live, durable by policy, readable at
// once, recovered after a crash, and sealed into immutable esdb files.
//
//   esdb::Log log = esdb::Log::open("events.esdblog");       // the one writer
//   log.append({.key = "customer-1", .timestamp = 1403534923, .data = "{...}"});
//   log.flush();                        // returns once the appends are durable
//   if (auto k = log.find("customer-1"))
//     for (const esdb::Event& e : k->scan({.reverse = true})) use(e.data);
//   log.seal("events.esdb");            // the same bytes esdb::Writer makes
//
// A directory of sealed files plus one open log is an Archive: it rolls the
// log into a new esdb file by size or age, and a crash at any point of a
// seal leaves exactly one of the two as the truth. The bytes are in SPEC.md
// ("Ingest log").
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "esdb/esdb.h"

namespace esdb {

enum class Durability {
  every_append,  // each append() is written and fsynced before it returns
  on_flush,      // group commit: appends are buffered; flush() writes and fsyncs them at once
  interval,      // as on_flush, and a background thread flushes every LogOptions::interval
};

struct LogOptions {
  Durability durability = Durability::on_flush;
  std::chrono::milliseconds interval{100};
  // Buffered appends are handed to the OS (not fsynced) beyond this many bytes.
  size_t buffer_size = 1u << 20;
  // The file grows in steps of this many zero bytes written ahead, so that
  // most fsyncs write data only, not a new file size too. 0 = grow per write.
  // Closing cuts the unused zeros; a crash leaves them, and the next open
  // cuts them as a zero-filled tail.
  uint64_t preallocate = 1u << 20;
};

// What opening a log found at its end.
struct LogRecovery {
  uint64_t valid_end = 0;   // offset just past the last sound record
  uint64_t torn_bytes = 0;  // bytes after it that were no record (cut off by a writer)
  std::string what;         // why they were no record; empty when torn_bytes == 0
  bool zero_filled = false;  // the torn bytes were all zero: preallocated space, nothing lost
};

// One record of the log, as tail() returns it. Views stay valid until next().
struct LogEntry {
  uint64_t offset = 0;  // of the record
  uint64_t end = 0;     // of the record: pass it to tail() to continue after it
  std::string_view key;
  std::string_view group;
  int64_t timestamp = 0;
  std::string_view data;
  std::vector<IndexEntry> indexes;
};

namespace detail {
struct LogState;
}

// The records of a log from an offset to the end known when it was made.
class LogTail {
 public:
  LogTail(LogTail&&) noexcept;
  ~LogTail();
  bool next();  // false at the end; throws Error on damage
  const LogEntry& entry() const { return entry_; }

 private:
  friend class Log;
  LogTail(std::shared_ptr<detail::LogState> s, size_t first, size_t last);
  std::shared_ptr<detail::LogState> state_;
  size_t next_, last_;  // record numbers [next_, last_)
  std::string buffer_;
  LogEntry entry_;
};

// One key of an open log. Scans see the events appended before scan().
class LogKey {
 public:
  std::string_view name() const { return name_; }
  uint64_t event_count() const;
  // The key's group names, byte-wise sorted ("" for the default group).
  std::vector<std::string> groups() const;
  // Events in file order ((group, timestamp, order of append)), every
  // ScanOption as for a Key; index scans read only the events carrying it.
  Scan scan(const ScanOptions& options = {}) const;

 private:
  friend class Log;
  LogKey(std::shared_ptr<detail::LogState> s, std::string name) : state_(std::move(s)), name_(std::move(name)) {}
  std::shared_ptr<detail::LogState> state_;
  std::string name_;
};

class Log {
 public:
  // The one writer: creates the log if missing, locks it (a second writer,
  // in this process or another, gets Errc::io "locked"), cuts a torn tail
  // (see recovery()) and indexes every record. Damage before the tail is
  // Errc::corrupt with its offset.
  static Log open(const std::string& path, const LogOptions& options = {});
  // A reader, in any process, beside a live writer: it sees the records
  // complete when it opened (or last refresh()ed), and never cuts anything.
  static Log open_read(const std::string& path);

  Log(Log&&) noexcept;
  Log& operator=(Log&&) noexcept;
  ~Log();  // a writer flushes (errors are lost: call close() to see them)

  const std::string& path() const;
  void append(const EventInput& event);
  // Returns once every append so far is on stable storage.
  void flush();
  // Flushes, stops the interval thread and releases the lock. Reads still work.
  void close();
  // A reader: indexes the records appended since; returns how many.
  uint64_t refresh();

  const LogRecovery& recovery() const;
  uint64_t end() const;  // offset just past the last record appended
  uint64_t event_count() const;
  std::optional<LogKey> find(std::string_view key) const;
  std::vector<std::string> keys() const;  // byte-wise sorted
  // The records starting at or after `from`, in append order.
  LogTail tail(uint64_t from = 0) const;
  // Writes every event into a new esdb file at `path` through esdb::Writer
  // (atomically: nothing is at `path` unless it is complete). The log itself
  // is unchanged.
  FileStats seal(const std::string& path, const WriterOptions& options = {}) const;

 private:
  explicit Log(std::shared_ptr<detail::LogState> s);
  std::shared_ptr<detail::LogState> state_;
};

}  // namespace esdb
