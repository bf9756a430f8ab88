// Where a Reader's bytes come from. A local file is mapped whole; a remote
// one (remote_source.h) is fetched in ranges on demand. The format code reads
// through Windows, so it never knows which: a Window is bytes [begin, end) of
// the file held in memory, plus whatever keeps them alive.
//
// Lifetimes: a view into a Window stays valid while the Window (or a copy of
// it) lives. The map of a local file is kept alive by the File itself, so its
// Window owns nothing (copying it costs no atomic increment); a fetched range
// is owned by shared pointer, by the cache and by every structure that holds
// a Window of it (a key dir, a scan), so evicting it from the cache never
// pulls bytes from under a reader.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "esdb/esdb.h"

namespace esdb::detail {

struct Window {
  const char* data = nullptr;  // the byte at `begin`
  uint64_t begin = 0;
  uint64_t end = 0;
  std::shared_ptr<const void> keep;  // null for a mapped file

  bool covers(uint64_t offset, uint64_t n) const {
    return data != nullptr && offset >= begin && offset <= end && n <= end - offset;
  }
  const char* at(uint64_t offset) const { return data + (offset - begin); }
};

// A source of a file's bytes, shared by every thread that reads the file.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // A Window covering [offset, offset + n). A source that must fetch fetches
  // [fetch_lo, fetch_hi) (which contains the needed range) in one request, so
  // the caller can bring along what it will need next. Throws Error.
  virtual Window read(uint64_t offset, uint64_t n, uint64_t fetch_lo, uint64_t fetch_hi) const = 0;
  virtual TransferStats transfer_stats() const { return {}; }
};

}  // namespace esdb::detail
