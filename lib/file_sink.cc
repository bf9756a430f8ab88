#include "file_sink.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "esdb/error.h"
#include "remote/s3_upload.h"
#include "remote/s3_url.h"

namespace esdb {

static constexpr size_t kBufferSize = 1 << 20;

static std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}
static std::string base_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Where temporary files of a remote destination go: nowhere beside it.
static std::string local_temp_dir() {
  const char* dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

static int make_temp(const std::string& path, const char* kind, std::string& temp_path) {
  const std::string dir = remote::is_remote_url(path) ? local_temp_dir() : dir_of(path);
  std::string pattern = dir + "/." + base_of(path) + kind + "XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    throw Error(Errc::io, path, Error::kNoOffset,
                std::string("cannot create a temporary file beside it: ") + std::strerror(err));
  }
  temp_path.assign(name.data());
  return fd;
}

// The process's umask, read without changing it (umask(2) cannot be read
// alone, and setting it to peek would race with other threads).
static mode_t current_umask() {
  if (FILE* f = std::fopen("/proc/self/status", "re")) {
    char line[256];
    unsigned mask;
    while (std::fgets(line, sizeof line, f)) {
      if (std::sscanf(line, "Umask: %o", &mask) == 1) {
        std::fclose(f);
        return static_cast<mode_t>(mask);
      }
    }
    std::fclose(f);
  }
  return 022;
}

FileSink::FileSink(const std::string& path, bool overwrite, bool sync, uint64_t s3_part_size)
    : path_(path), overwrite_(overwrite), sync_(sync), s3_(remote::is_s3_url(path)), s3_part_size_(s3_part_size) {
  if (path.empty()) throw Error(Errc::invalid_argument, path, Error::kNoOffset, "empty path");
  if (remote::is_http_url(path))
    throw Error(Errc::invalid_argument, path, Error::kNoOffset, "cannot write to an http(s) URL (s3:// can be written)");
  if (s3_) {
    remote::parse_s3_url(path);  // a malformed URL fails now, not after the build
    if (s3_part_size == 0) throw Error(Errc::invalid_argument, path, Error::kNoOffset, "s3_part_size must be > 0");
    if (!overwrite && remote::object_exists(remote::S3Config::from_environment(), path))
      throw Error(Errc::exists, path, Error::kNoOffset, "object exists (pass overwrite to replace it)");
    fd_ = make_temp(path, ".esdb-upload.", temp_path_);
    buffer_.reserve(kBufferSize);
    return;
  }
  struct stat st;
  if (!overwrite && ::stat(path.c_str(), &st) == 0) {
    throw Error(Errc::exists, path, Error::kNoOffset, "file exists (pass overwrite to replace it)");
  }
  fd_ = make_temp(path, ".esdb-tmp.", temp_path_);
  buffer_.reserve(kBufferSize);
}

FileSink::~FileSink() { abandon(); }

void FileSink::fail(const std::string& what, int err) const {
  throw Error(Errc::io, temp_path_, offset_, what + ": " + std::strerror(err));
}

void FileSink::append(std::string_view bytes) {
  offset_ += bytes.size();
  if (buffer_.size() + bytes.size() <= kBufferSize) {
    buffer_.append(bytes);
    return;
  }
  flush();
  if (bytes.size() < kBufferSize) {
    buffer_.append(bytes);
    return;
  }
  write_out(bytes);  // large payloads go straight out, uncopied
}

void FileSink::flush() {
  write_out(buffer_);
  buffer_.clear();
}

void FileSink::write_out(std::string_view bytes) {
  const char* p = bytes.data();
  size_t n = bytes.size();
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail("write failed", errno);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void FileSink::commit() {
  flush();
  if (s3_) return upload();
  // mkstemp made the file private; the finished file gets the mode any new
  // file would (0666 less the umask).
  if (::fchmod(fd_, 0666 & ~current_umask()) != 0) fail("chmod failed", errno);
  if (sync_ && ::fsync(fd_) != 0) fail("fsync failed", errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    fail("close failed", errno);
  }
  fd_ = -1;
  int flags = overwrite_ ? 0 : RENAME_NOREPLACE;
  if (::renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, path_.c_str(), flags) != 0) {
    int err = errno;
    if (err == EEXIST) {
      abandon();
      throw Error(Errc::exists, path_, Error::kNoOffset, "file appeared while writing (pass overwrite to replace it)");
    }
    // EINVAL: a file system without renameat2 flags. link() refuses an
    // existing destination just as atomically.
    bool moved = err == EINVAL && (overwrite_ ? ::rename(temp_path_.c_str(), path_.c_str()) == 0
                                              : ::link(temp_path_.c_str(), path_.c_str()) == 0);
    if (!moved) {
      if (err == EINVAL) err = errno;
      abandon();
      throw Error(err == EEXIST ? Errc::exists : Errc::io, path_, Error::kNoOffset,
                  std::string("cannot move the finished file into place: ") + std::strerror(err));
    }
    if (!overwrite_) ::unlink(temp_path_.c_str());
  }
  temp_path_.clear();
  if (sync_) {
    int dir = ::open(dir_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);  // best effort: the file itself is complete either way
      ::close(dir);
    }
  }
}

// The whole local file, then the object: a failure leaves neither.
void FileSink::upload() {
  if (::close(fd_) != 0) {
    fd_ = -1;
    fail("close failed", errno);
  }
  fd_ = -1;
  try {
    const remote::S3Config config = remote::S3Config::from_environment();
    // Checked again: the object may have appeared during the build. S3 has
    // no portable put-if-absent, so a writer racing this one can still win.
    if (!overwrite_ && remote::object_exists(config, path_))
      throw Error(Errc::exists, path_, Error::kNoOffset, "object appeared while writing (pass overwrite to replace it)");
    remote::upload_file(config, path_, temp_path_, {.part_size = s3_part_size_});
  } catch (...) {
    abandon();
    throw;
  }
  abandon();  // the local copy only
}

void FileSink::abandon() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  temp_path_.clear();
}

int open_anonymous_temp(const std::string& near_path) {
  // O_TMPFILE gives the file no name at any moment, so even a SIGKILL
  // between two instructions leaves nothing behind. Filesystems without it
  // get a name for the instant between create and unlink.
  const std::string dir = remote::is_remote_url(near_path) ? local_temp_dir() : dir_of(near_path);
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string temp_path;
  fd = make_temp(near_path, ".esdb-run.", temp_path);
  ::unlink(temp_path.c_str());
  return fd;
}

}  // namespace esdb
