// Reading a log from the last known record to the end of the file, and the
// decision every reader must make when the bytes stop being records: a torn
// tail (a crash cut the last appends short; nothing sound follows) is cut
// off and reported, while damage (a bad record with a sound one after it) is
// an error naming its offset. Nothing is skipped silently.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "log_state.h"

namespace esdb::detail {
namespace {

// Sequential reads through a 1 MiB window; at() is null past the end.
class Window {
 public:
  Window(const LogState& s, uint64_t size) : s_(s), size_(size) {}
  const char* at(uint64_t offset, uint64_t n) {
    if (offset > size_ || n > size_ - offset) return nullptr;
    if (offset < base_ || offset + n > base_ + buf_.size()) {
      uint64_t want = std::min<uint64_t>(std::max<uint64_t>(n, 1u << 20), size_ - offset);
      buf_.resize(want);
      uint64_t got = 0;
      while (got < want) {
        ssize_t r = ::pread(s_.fd, buf_.data() + got, want - got, static_cast<off_t>(offset + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) s_.io("read failed", errno);
        if (r == 0) break;  // the file shrank under us: what is left is all there is
        got += static_cast<uint64_t>(r);
      }
      buf_.resize(got);
      base_ = offset;
      if (got < n) return nullptr;
    }
    return buf_.data() + (offset - base_);
  }
  void forget() { buf_.clear(); }

 private:
  const LogState& s_;
  uint64_t size_;
  uint64_t base_ = 0;
  std::string buf_;
};

// Why the record at `pos` is unsound, or "" (with `len` set) when it is.
std::string check(Window& w, uint64_t pos, int64_t& len) {
  const char* h = w.at(pos, kRecordHeaderSize);
  if (!h) return "partial record header";
  len = record_length(h, pos);
  if (len < 0) return "record header checksum mismatch";
  const char* p = w.at(pos + kRecordHeaderSize, static_cast<uint64_t>(len));
  if (!p) return "record runs past the end of the file";
  h = w.at(pos, kRecordHeaderSize + static_cast<uint64_t>(len));
  if (!payload_ok(h, std::string_view(h + kRecordHeaderSize, static_cast<size_t>(len)), pos)) {
    return "record checksum mismatch";
  }
  return "";
}

// Offset just past the last non-zero byte in [pos, size), or pos if there is
// none. A record's length is never 0, so no sound record starts at or after
// it, and when it is `pos` the rest of the file is zeros: preallocated space
// (or pages a crash left unwritten) rather than records.
uint64_t data_end(Window& w, uint64_t pos, uint64_t size) {
  uint64_t last = pos;
  for (uint64_t at = pos; at < size;) {
    const uint64_t n = std::min<uint64_t>(size - at, 1u << 20);
    const char* p = w.at(at, n);
    if (!p) break;  // the file shrank under us
    for (uint64_t i = n; i > 0; i--) {
      if (p[i - 1] != 0) {
        last = at + i;
        break;
      }
    }
    at += n;
  }
  return last;
}

// Is there a sound record anywhere after `pos` (starting before `data`, the
// end of the non-zero bytes)? One 8-byte hash per offset finds the candidate
// headers; their payloads are checked only then.
bool sound_record_after(Window& w, uint64_t pos, uint64_t data, uint64_t size) {
  for (uint64_t q = pos + 1; q < data && q + kRecordHeaderSize <= size; q++) {
    const char* h = w.at(q, kRecordHeaderSize);
    if (!h) return false;
    int64_t len = record_length(h, q);
    if (len < 0 || static_cast<uint64_t>(len) > size - q - kRecordHeaderSize) continue;
    int64_t l2;
    if (check(w, q, l2).empty()) return true;
  }
  return false;
}

}  // namespace

void LogState::walk() {
  struct stat st;
  if (::fstat(fd, &st) != 0) io("stat failed", errno);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  Window w(*this, size);
  uint64_t pos = end;
  LogEvent e;
  bool retried = false;
  while (pos < size) {
    int64_t len = 0;
    std::string why = check(w, pos, len);
    if (!why.empty()) {
      const uint64_t data = data_end(w, pos, size);
      if (data == pos || !sound_record_after(w, pos, data, size)) {
        recovery.valid_end = pos;
        recovery.torn_bytes = size - pos;
        recovery.zero_filled = data == pos;
        recovery.what = data == pos ? "zero-filled tail (preallocated space)" : why;
        break;
      }
      // A reader may have caught a live writer's record half copied while
      // the ones after it were complete: look once more before calling it damage.
      if (!writable && !retried) {
        retried = true;
        w.forget();
        continue;
      }
      corrupt(pos, why + " before the end of the log (damage, not a torn tail)");
    }
    retried = false;
    const char* p = w.at(pos + kRecordHeaderSize, static_cast<uint64_t>(len));
    std::string bad = decode_payload(std::string_view(p, static_cast<size_t>(len)), e);
    if (!bad.empty()) corrupt(pos, "record with a sound checksum holds a malformed event: " + bad);
    keys[std::string(e.key)].add(pos, e);
    records.push_back(pos);
    pos += kRecordHeaderSize + static_cast<uint64_t>(len);
    end = pos;
  }
  if (pos == size) {
    recovery.valid_end = pos;
    recovery.torn_bytes = 0;
    recovery.zero_filled = false;
    recovery.what.clear();
  }
  if (writable && recovery.torn_bytes > 0) {
    if (::ftruncate(fd, static_cast<off_t>(recovery.valid_end)) != 0) io("cannot cut the torn tail", errno);
    if (::fdatasync(fd) != 0) io("fsync failed", errno);
  }
}

}  // namespace esdb::detail

namespace esdb::detail {

// Sealing reads every record once, in order: one sequential pass through the
// window instead of two preads per record.
void LogState::for_each_event(const std::function<void(const LogEvent&)>& fn) const {
  // `end` is past the last record (a writer's pending bytes are written first).
  Window w(*this, end);
  LogEvent e;
  for (uint64_t offset : records) {
    const char* p = w.at(offset, kRecordHeaderSize);
    if (!p) corrupt(offset, "record header cut short (was the log truncated?)");
    const int64_t len = record_length(p, offset);
    if (len < 0) corrupt(offset, "record header checksum mismatch");
    p = w.at(offset, kRecordHeaderSize + static_cast<uint64_t>(len));
    if (!p) corrupt(offset, "record cut short");
    const std::string_view payload(p + kRecordHeaderSize, static_cast<size_t>(len));
    if (!payload_ok(p, payload, offset)) corrupt(offset, "record checksum mismatch");
    const std::string bad = decode_payload(payload, e);
    if (!bad.empty()) corrupt(offset, "malformed event: " + bad);
    fn(e);
  }
}

}  // namespace esdb::detail
