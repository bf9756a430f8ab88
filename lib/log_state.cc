#include "log_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace esdb::detail {

bool LogKeyIndex::before(const LogRef& a, const LogRef& b) const {
  if (a.group != b.group) {
    int c = groups[a.group].compare(groups[b.group]);
    if (c != 0) return c < 0;
  }
  if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
  return a.offset < b.offset;
}

// Appends keep each list in file order; events mostly arrive in time order,
// so the insert is almost always at the back.
static void insert_sorted(std::vector<LogRef>& v, const LogRef& r, const LogKeyIndex& k) {
  if (v.empty() || k.before(v.back(), r)) {
    v.push_back(r);
    return;
  }
  auto at = std::upper_bound(v.begin(), v.end(), r, [&](const LogRef& a, const LogRef& b) { return k.before(a, b); });
  v.insert(at, r);
}

void LogKeyIndex::add(uint64_t offset, const LogEvent& e) {
  uint32_t g = 0;
  while (g < groups.size() && groups[g] != e.group) g++;
  if (g == groups.size()) groups.emplace_back(e.group);
  const LogRef r{e.timestamp, offset, g};
  insert_sorted(events, r, *this);
  // An entry carried twice by one event counts once, as in a file.
  std::vector<IndexEntry> entries = e.indexes;
  std::sort(entries.begin(), entries.end(), [](const IndexEntry& a, const IndexEntry& b) {
    return a.name != b.name ? a.name < b.name : a.value < b.value;
  });
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  for (const IndexEntry& i : entries) {
    insert_sorted(postings[{std::string(i.name), std::string(i.value)}], r, *this);
  }
}

LogState::~LogState() {
  stop_flusher();
  if (lock_fd >= 0) ::close(lock_fd);
  if (fd >= 0) ::close(fd);
}

void LogState::corrupt(uint64_t offset, const std::string& what) const {
  throw Error(Errc::corrupt, path, offset, what);
}
void LogState::io(const std::string& what, int err) const {
  throw Error(Errc::io, path, Error::kNoOffset, what + ": " + std::strerror(err));
}

static bool read_fully(int fd, char* p, size_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return true;
}

uint64_t LogState::read_record(uint64_t offset, std::string& buf, LogEvent& e) const {
  char h[kRecordHeaderSize];
  if (!read_fully(fd, h, sizeof h, offset)) corrupt(offset, "record header cut short (was the log truncated?)");
  int64_t len = record_length(h, offset);
  if (len < 0) corrupt(offset, "record header checksum mismatch");
  buf.resize(static_cast<size_t>(len));
  if (!read_fully(fd, buf.data(), buf.size(), offset + kRecordHeaderSize)) corrupt(offset, "record cut short");
  if (!payload_ok(h, buf, offset)) corrupt(offset, "record checksum mismatch");
  std::string bad = decode_payload(buf, e);
  if (!bad.empty()) corrupt(offset, "malformed event: " + bad);
  return offset + kRecordHeaderSize + buf.size();
}

void LogState::preallocate(uint64_t need) {
  const uint64_t step = options.preallocate;
  if (step == 0 || need <= allocated) return;
  const uint64_t target = (need / step + 1) * step;
  // Zeros written, not fallocate(2): ext4 and XFS keep fallocated blocks as
  // "unwritten" extents, and converting them on first write is a metadata
  // change every fdatasync would then commit. Written zeros make the later
  // syncs of appends in this step data-only; the zeros cost one extra write.
  static const std::string zeros(64 * 1024, '\0');
  for (uint64_t at = allocated; at < target;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(zeros.size(), target - at));
    ssize_t w = ::pwrite(fd, zeros.data(), n, static_cast<off_t>(at));
    if (w < 0 && errno == EINTR) continue;
    // Only a speed-up: where it fails (a full disk) the file grows by its
    // writes as before, and a real shortage shows there.
    if (w <= 0) {
      options.preallocate = 0;
      allocated = std::max(allocated, at);
      return;
    }
    at += static_cast<uint64_t>(w);
  }
  allocated = target;
}

void LogState::write_pending() {
  preallocate(file_end + pending.size());
  size_t done = 0;
  while (done < pending.size()) {
    ssize_t w = ::pwrite(fd, pending.data() + done, pending.size() - done, static_cast<off_t>(file_end + done));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      int err = errno;
      // The file may now end in part of a record; the next open cuts it.
      broken = std::string("a write failed: ") + std::strerror(err);
      pending.clear();
      io("write failed", err);
    }
    done += static_cast<size_t>(w);
  }
  file_end += pending.size();
  pending.clear();
}

void LogState::sync() {
  write_pending();
  if (synced_end == file_end) return;
  if (::fdatasync(fd) != 0) {
    int err = errno;
    broken = std::string("fsync failed: ") + std::strerror(err);  // the kernel may have dropped the pages
    io("fsync failed", err);
  }
  synced_end = file_end;
}

void LogState::start_flusher() {
  flusher = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu);
    while (!stopping) {
      wake.wait_for(lock, options.interval, [this] { return stopping; });
      if (stopping) break;
      try {
        sync();
      } catch (...) {
        flusher_error = std::current_exception();  // append() and flush() rethrow it
        return;
      }
    }
  });
}

void LogState::stop_flusher() {
  if (!flusher.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
  }
  wake.notify_all();
  flusher.join();
}

}  // namespace esdb::detail
