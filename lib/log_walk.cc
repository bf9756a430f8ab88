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

// Is there a sound record anywhere after `pos`? One 8-byte hash per offset
// finds the candidate headers; their payloads are checked only then.
bool sound_record_after(Window& w, uint64_t pos, uint64_t size) {
  for (uint64_t q = pos + 1; q + kRecordHeaderSize <= size; q++) {
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
      if (!sound_record_after(w, pos, size)) {
        recovery.valid_end = pos;
        recovery.torn_bytes = size - pos;
        recovery.what = why;
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
    recovery.what.clear();
  }
  if (writable && recovery.torn_bytes > 0) {
    if (::ftruncate(fd, static_cast<off_t>(recovery.valid_end)) != 0) io("cannot cut the torn tail", errno);
    if (::fdatasync(fd) != 0) io("fsync failed", errno);
  }
}

}  // namespace esdb::detail
