// The shared state of an open log: its file, the writer's pending bytes and
// the in-memory index rebuilt from the records on open. Log, LogKey, their
// scans and LogTail hold it by shared_ptr, so a scan outlives its Log.
//
// The index, not back-pointers in the records: opening must read every
// record anyway to find the torn tail, and then a key's events (and an index
// entry's) are a list of offsets in memory, where back-pointer chains would
// cost one random read per event before the first one could be returned.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "esdb/log.h"
#include "log_record.h"

namespace esdb::detail {

struct LogRef {
  int64_t timestamp;
  uint64_t offset;  // of the record; later records have larger offsets
  uint32_t group;   // into LogKeyIndex::groups
};

// One key's events in file order: (group, timestamp, offset).
struct LogKeyIndex {
  std::vector<std::string> groups;
  std::vector<LogRef> events;
  std::map<std::pair<std::string, std::string>, std::vector<LogRef>> postings;

  bool before(const LogRef& a, const LogRef& b) const;
  void add(uint64_t offset, const LogEvent& e);
};

struct LogState {
  std::string path;
  LogOptions options;
  int fd = -1;
  int lock_fd = -1;  // holds the writer's flock; -1 for readers and after close()
  bool writable = false;

  // Guards the write side between the caller and the interval thread.
  std::mutex mu;
  std::string pending;      // appended, not yet handed to the OS
  uint64_t file_end = 0;    // bytes handed to the OS
  uint64_t synced_end = 0;  // bytes known durable
  uint64_t allocated = 0;   // the file's size: records, then preallocated zeros
  std::string broken;       // why appends are refused after a failed write
  std::thread flusher;
  std::condition_variable wake;
  bool stopping = false;
  std::exception_ptr flusher_error;

  uint64_t end = 0;  // past the last record appended (or read, for a reader)
  std::vector<uint64_t> records;  // every record's offset, in order
  std::unordered_map<std::string, LogKeyIndex> keys;
  LogRecovery recovery;

  ~LogState();
  // Reads and indexes the records from `end` on (see log_walk.cc); a writer
  // cuts a torn tail off the file.
  void walk();
  // Reads the record at `offset` into `buf`, decoded into `e`; returns its end.
  uint64_t read_record(uint64_t offset, std::string& buf, LogEvent& e) const;
  // Every record's event in append order, read sequentially; throws on damage.
  void for_each_event(const std::function<void(const LogEvent&)>& fn) const;
  void write_pending();  // with mu held
  void preallocate(uint64_t need);  // with mu held: the file covers `need` bytes
  void sync();           // with mu held: pending out, then fdatasync
  void start_flusher();
  void stop_flusher();

  [[noreturn]] void corrupt(uint64_t offset, const std::string& what) const;
  [[noreturn]] void io(const std::string& what, int err) const;
};

}  // namespace esdb::detail
