// esdb::Log: opening (create, lock, recover), appending under a durability
// policy, and sealing into an esdb file.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "esdb/log.h"
#include "log_state.h"

namespace esdb {
namespace {

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void sync_dir(const std::string& path) {
  int d = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) return;
  ::fsync(d);
  ::close(d);
}

[[noreturn]] void io(const std::string& path, const std::string& what, int err) {
  throw Error(Errc::io, path, Error::kNoOffset, what + ": " + std::strerror(err));
}

// A new log appears whole or not at all: its header is written and synced in
// a temporary file that is then linked into place (never over another log).
void create_log(const std::string& path) {
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) io(path, "cannot create the log", errno);
  const std::string h = detail::log_header();
  bool ok = ::write(fd, h.data(), h.size()) == static_cast<ssize_t>(h.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (ok && ::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) {
    ok = false;
    err = errno;
  }
  ::unlink(tmp.c_str());
  if (!ok) io(path, "cannot create the log", err);
  sync_dir(path);
}

int open_fd(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) io(path, "cannot open the log", errno);
  return fd;
}

void read_header(detail::LogState& s) {
  char h[detail::kLogHeaderSize];
  ssize_t n = ::pread(s.fd, h, sizeof h, 0);
  if (n < 0) s.io("read failed", errno);
  std::string bad = detail::check_log_header(std::string_view(h, static_cast<size_t>(n)));
  if (!bad.empty()) s.corrupt(0, bad);
  s.end = detail::kLogHeaderSize;
}

}  // namespace

Log::Log(std::shared_ptr<detail::LogState> s) : state_(std::move(s)) {}
Log::Log(Log&&) noexcept = default;
Log& Log::operator=(Log&& o) noexcept {
  if (this != &o) {
    try {
      if (state_) close();
    } catch (...) {
    }
    state_ = std::move(o.state_);
  }
  return *this;
}
Log::~Log() {
  try {
    if (state_) close();
  } catch (...) {
  }
}

Log Log::open(const std::string& path, const LogOptions& options) {
  auto s = std::make_shared<detail::LogState>();
  s->path = path;
  s->options = options;
  if (::access(path.c_str(), F_OK) != 0) create_log(path);
  // The lock lives on its own descriptor so that scans holding the data
  // descriptor do not keep the log locked after close().
  s->lock_fd = open_fd(path, O_RDONLY);
  if (::flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) throw Error(Errc::io, path, Error::kNoOffset, "locked: another writer has this log open");
    io(path, "cannot lock the log", errno);
  }
  s->fd = open_fd(path, O_RDWR);
  s->writable = true;
  read_header(*s);
  s->walk();
  s->file_end = s->synced_end = s->allocated = s->end;
  if (options.durability == Durability::interval) s->start_flusher();
  return Log(std::move(s));
}

Log Log::open_read(const std::string& path) {
  auto s = std::make_shared<detail::LogState>();
  s->path = path;
  s->fd = open_fd(path, O_RDONLY);
  read_header(*s);
  s->walk();
  return Log(std::move(s));
}

const std::string& Log::path() const { return state_->path; }
const LogRecovery& Log::recovery() const { return state_->recovery; }
uint64_t Log::end() const { return state_->end; }
uint64_t Log::event_count() const { return state_->records.size(); }

void Log::append(const EventInput& e) {
  detail::LogState& s = *state_;
  if (!s.writable) throw Error(Errc::invalid_argument, s.path, Error::kNoOffset, "the log is not open for writing");
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.flusher_error) std::rethrow_exception(s.flusher_error);
  if (!s.broken.empty()) throw Error(Errc::io, s.path, Error::kNoOffset, "appends refused after " + s.broken);
  const uint64_t offset = s.end;
  try {
    detail::encode_record(s.pending, offset, e);
  } catch (const Error& err) {
    throw Error(err.code(), s.path, Error::kNoOffset, err.detail());
  }
  s.keys[std::string(e.key)].add(offset, detail::LogEvent{e.key, e.group, e.timestamp, e.data, e.indexes});
  s.records.push_back(offset);
  s.end = s.file_end + s.pending.size();
  if (s.options.durability == Durability::every_append) {
    s.sync();
  } else if (s.pending.size() >= s.options.buffer_size) {
    s.write_pending();
  }
}

void Log::flush() {
  detail::LogState& s = *state_;
  if (!s.writable) return;
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.flusher_error) std::rethrow_exception(s.flusher_error);
  if (!s.broken.empty()) throw Error(Errc::io, s.path, Error::kNoOffset, "cannot flush after " + s.broken);
  s.sync();
}

void Log::close() {
  detail::LogState& s = *state_;
  if (!s.writable) return;
  s.stop_flusher();
  try {
    flush();
  } catch (...) {
    s.writable = false;
    ::close(s.lock_fd);
    s.lock_fd = -1;
    throw;
  }
  s.writable = false;
  // The unused preallocated zeros go (unsynced: a crash before it reaches
  // the disk leaves them, and the next open cuts them the same way).
  if (s.allocated > s.file_end && ::ftruncate(s.fd, static_cast<off_t>(s.file_end)) == 0) s.allocated = s.file_end;
  ::close(s.lock_fd);
  s.lock_fd = -1;
}

uint64_t Log::refresh() {
  detail::LogState& s = *state_;
  if (s.writable) return 0;
  const size_t before = s.records.size();
  s.walk();
  return s.records.size() - before;
}

std::optional<LogKey> Log::find(std::string_view key) const {
  if (state_->keys.find(std::string(key)) == state_->keys.end()) return std::nullopt;
  return LogKey(state_, std::string(key));
}

std::vector<std::string> Log::keys() const {
  std::vector<std::string> names;
  names.reserve(state_->keys.size());
  for (const auto& [name, _] : state_->keys) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

FileStats Log::seal(const std::string& path, const WriterOptions& options) const {
  detail::LogState& s = *state_;
  if (s.writable) {
    std::lock_guard<std::mutex> lock(s.mu);
    s.write_pending();
  }
  Writer w = Writer::create(path, options);
  // Append order is the order of add, so equal (group, timestamp) events
  // keep their log order in the file.
  s.for_each_event([&](const detail::LogEvent& e) {
    w.add(EventInput{.key = e.key, .timestamp = e.timestamp, .data = e.data, .group = e.group, .indexes = e.indexes});
  });
  return w.finish();
}

}  // namespace esdb
