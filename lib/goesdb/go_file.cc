#include "goesdb/go_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "esdb/error.h"

namespace esdb::goesdb {

void GoFile::corrupt(uint64_t offset, const std::string& what) const {
  throw Error(Errc::corrupt, path, offset, "Go ESDB file: " + what);
}

std::string_view GoFile::span(uint64_t offset, uint64_t n, uint64_t lo, uint64_t hi, const char* what) const {
  if (offset < lo || offset > hi || n > hi - offset) {
    corrupt(offset, std::string(what) + " of " + std::to_string(n) + " bytes lies outside [" + std::to_string(lo) +
                        ", " + std::to_string(hi) + ")");
  }
  return std::string_view(data + offset, n);
}

MappedGoFile::MappedGoFile(const std::string& path) {
  file_.path = path;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    throw Error(Errc::io, path, Error::kNoOffset, std::string("cannot open: ") + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) throw Error(Errc::io, path, Error::kNoOffset, "not a regular file");
  // An empty file cannot be mapped; it is simply too short (the readers say so).
  if (st.st_size == 0) return;
  try {
    map_.open(path);
  } catch (const std::exception& e) {
    throw Error(Errc::io, path, Error::kNoOffset, std::string("cannot map: ") + e.what());
  }
  file_.data = map_.data();
  file_.size = map_.size();
}

}  // namespace esdb::goesdb
