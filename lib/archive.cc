// esdb::Archive: the writer of an archive directory. It appends to the
// newest log and rolls it into a sealed esdb file; opening settles whatever
// a crash left, by the naming rule of esdb/archive.h.
//
// A roll by size or age starts the next log at once and seals the retired
// one on a background thread, so appends do not wait for a Writer build.
// One seal at a time: a roll while one runs waits for it, so at most one
// retired log is ever unsealed behind the open one (and the crash rule is
// unchanged: a retired log is sealed in place, by the same steps).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>
#include <utility>

#include "archive_files.h"
#include "esdb/archive.h"

namespace esdb {

struct Archive::Impl {
  std::string dir;
  ArchiveOptions options;
  int lock_fd = -1;
  uint64_t seq = 0;
  std::optional<Log> log;
  std::chrono::steady_clock::time_point first_append;
  bool has_appended = false;
  std::vector<std::string> notes;
  std::thread sealer;               // sealing a retired log, or not joinable
  std::atomic<bool> sealed{false};  // the sealer has finished
  std::exception_ptr seal_error;    // its failure, for the caller's next call

  ~Impl() {
    if (sealer.joinable()) sealer.join();
    log.reset();
    if (lock_fd >= 0) ::close(lock_fd);
  }

  // Joins the sealer if `wait` or if it is done; what it failed with is
  // kept for throw_seal_error().
  void reap_seal(bool wait) {
    if (!sealer.joinable() || (!wait && !sealed.load(std::memory_order_acquire))) return;
    sealer.join();
  }
  // The failure of a finished background seal, thrown once by the caller's
  // next call (never after that call's own work, so that an append that
  // throws was not made). The failed log stays, the truth for its events,
  // and the next open seals it.
  void throw_seal_error(bool wait = false) {
    reap_seal(wait);
    if (std::exception_ptr e = std::exchange(seal_error, nullptr)) std::rethrow_exception(e);
  }

  void roll_by_age() {
    const auto age = options.roll_age;
    if (age.count() == 0 || log->event_count() == 0) return;
    if (!has_appended) {  // events from before a reopen: their age is unknown, start counting now
      has_appended = true;
      first_append = std::chrono::steady_clock::now();
    }
    if (std::chrono::steady_clock::now() - first_append >= age) retire();
  }

  // Starts <s+1>.log and seals <s> in the background (once the previous
  // seal is done; its failure stays for the next call to throw).
  std::string retire() {
    reap_seal(true);
    log->close();  // flushed: every event is durable in the log before the seal starts
    Log old = std::move(*log);
    const uint64_t s = seq;
    // The next log exists before the seal starts, so a crash during the seal
    // finds an older log to seal and a newer one to continue.
    open_log(s + 1);
    sealed.store(false, std::memory_order_relaxed);
    sealer = std::thread([this, s, old = std::move(old)]() mutable {
      try {
        seal(s, old);
      } catch (const Error& e) {
        seal_error = std::make_exception_ptr(
            Error(e.code(), e.path(), e.offset(), "sealing " + old.path() + " in the background: " + e.detail() +
                                                      " (the log stays and the next open seals it)"));
      } catch (...) {
        seal_error = std::current_exception();
      }
      sealed.store(true, std::memory_order_release);
    });
    return detail::sealed_path(dir, s);
  }

  // Log <s> into <s>.esdb, then the log goes. A crash in between leaves
  // both, and the next open removes the log.
  void seal(uint64_t s, const Log& l) {
    const std::string out = detail::sealed_path(dir, s);
    WriterOptions w = options.writer;
    w.sync = true;
    w.overwrite = false;
    l.seal(out, w);
    if (::unlink(detail::log_path(dir, s).c_str()) != 0) {
      throw Error(Errc::io, detail::log_path(dir, s), Error::kNoOffset,
                  std::string("sealed, but cannot remove the log: ") + std::strerror(errno));
    }
    detail::sync_directory(dir);
  }

  void open_log(uint64_t s) {
    log.reset();
    log.emplace(Log::open(detail::log_path(dir, s), options.log));
    seq = s;
    has_appended = false;
    const LogRecovery& r = log->recovery();
    if (r.torn_bytes > 0 && !r.zero_filled) {  // unused preallocated zeros are no news
      notes.push_back(log->path() + ": cut a torn tail of " + std::to_string(r.torn_bytes) + " bytes at offset " +
                      std::to_string(r.valid_end) + " (" + r.what + ")");
    }
  }
};

Archive::Archive(std::unique_ptr<Impl> i) : impl_(std::move(i)) {}
Archive::Archive(Archive&&) noexcept = default;
Archive& Archive::operator=(Archive&&) noexcept = default;
Archive::~Archive() {
  try {
    if (impl_) close();
  } catch (...) {
  }
}

Archive Archive::open(const std::string& dir, const ArchiveOptions& options) {
  auto a = std::make_unique<Impl>();
  a->dir = dir;
  a->options = options;
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    throw Error(Errc::io, dir, Error::kNoOffset, std::string("cannot create the directory: ") + std::strerror(errno));
  }
  const std::string lock = dir + "/LOCK";
  a->lock_fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (a->lock_fd < 0) throw Error(Errc::io, lock, Error::kNoOffset, std::string("cannot open: ") + std::strerror(errno));
  if (::flock(a->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    throw Error(Errc::io, dir, Error::kNoOffset, "locked: another writer has this archive open");
  }
  detail::remove_temporaries(dir);
  auto files = detail::list_archive(dir);
  uint64_t newest_log = 0, newest = 0;
  for (const auto& [s, f] : files) {
    newest = s;
    if (f.log && f.sealed) {
      ::unlink(detail::log_path(dir, s).c_str());  // the seal had finished
      a->notes.push_back(detail::log_path(dir, s) + ": removed, already sealed");
    } else if (f.log) {
      newest_log = s;
    }
  }
  detail::sync_directory(dir);
  // Logs older than the newest were being rolled away when the writer stopped.
  const uint64_t keep = newest_log != 0 && newest_log == newest ? newest_log : 0;
  for (const auto& [s, f] : files) {
    if (!f.log || f.sealed || s == keep) continue;
    Log old = Log::open(detail::log_path(dir, s), options.log);
    a->seal(s, old);
    a->notes.push_back(detail::log_path(dir, s) + ": sealed");
  }
  a->open_log(keep != 0 ? keep : newest + 1);
  return Archive(std::move(a));
}

Log& Archive::log() { return *impl_->log; }
const std::string& Archive::dir() const { return impl_->dir; }
const std::vector<std::string>& Archive::notes() const { return impl_->notes; }

void Archive::append(const EventInput& event) {
  impl_->throw_seal_error();
  impl_->log->append(event);
  if (!impl_->has_appended) {
    impl_->has_appended = true;
    impl_->first_append = std::chrono::steady_clock::now();
  }
  const ArchiveOptions& o = impl_->options;
  if (o.roll_size != 0 && impl_->log->end() >= o.roll_size) {
    impl_->retire();
  } else {
    impl_->roll_by_age();
  }
}

void Archive::flush() {
  impl_->throw_seal_error();
  impl_->log->flush();
}

void Archive::roll_if_due() {
  impl_->throw_seal_error();
  impl_->roll_by_age();
}

std::string Archive::roll() {
  Impl& a = *impl_;
  a.throw_seal_error();
  if (a.log->event_count() == 0) {
    a.throw_seal_error(true);
    return "";
  }
  std::string sealed = a.retire();
  a.throw_seal_error(true);
  return sealed;
}

void Archive::close_and_seal() {
  roll();
  close();
}

void Archive::close() {
  if (!impl_) return;
  std::exception_ptr failed;
  try {
    impl_->throw_seal_error(true);
  } catch (...) {
    failed = std::current_exception();  // still release the directory, then report it
  }
  if (impl_->log) impl_->log->close();
  impl_->log.reset();
  if (impl_->lock_fd >= 0) ::close(impl_->lock_fd);
  impl_->lock_fd = -1;
  impl_.reset();
  if (failed) std::rethrow_exception(failed);
}

}  // namespace esdb
