#include "archive_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "esdb/error.h"

namespace esdb::detail {
namespace {

constexpr int kSeqDigits = 20;

std::string name_of(uint64_t seq, const char* ext) {
  char b[32];
  std::snprintf(b, sizeof b, "%020llu", static_cast<unsigned long long>(seq));
  return std::string(b) + ext;
}

// <20 digits><ext> -> seq; false for any other name.
bool parse(const std::string& name, const char* ext, uint64_t& seq) {
  const size_t n = std::strlen(ext);
  if (name.size() != kSeqDigits + n || name.compare(kSeqDigits, n, ext) != 0) return false;
  seq = 0;
  for (int i = 0; i < kSeqDigits; i++) {
    char c = name[i];
    if (c < '0' || c > '9') return false;
    if (seq > (UINT64_MAX - 9) / 10) return false;
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

template <class Fn>
void for_names(const std::string& dir, Fn&& fn) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    throw Error(Errc::io, dir, Error::kNoOffset, std::string("cannot read the directory: ") + std::strerror(errno));
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  for (const std::string& n : names) fn(n);
}

}  // namespace

std::string log_path(const std::string& dir, uint64_t seq) { return dir + "/" + name_of(seq, ".log"); }
std::string sealed_path(const std::string& dir, uint64_t seq) { return dir + "/" + name_of(seq, ".esdb"); }

std::map<uint64_t, SeqFiles> list_archive(const std::string& dir) {
  std::map<uint64_t, SeqFiles> out;
  for_names(dir, [&](const std::string& n) {
    uint64_t seq;
    if (parse(n, ".log", seq)) out[seq].log = true;
    if (parse(n, ".esdb", seq)) out[seq].sealed = true;
  });
  return out;
}

void remove_temporaries(const std::string& dir) {
  for_names(dir, [&](const std::string& n) {
    // esdb::Writer's temporary beside <seq>.esdb, and Log's beside <seq>.log.
    bool seal_tmp = n.size() > 1 && n[0] == '.' && n.find(".esdb.esdb-tmp.") != std::string::npos;
    bool log_tmp = n.find(".log.tmp.") != std::string::npos;
    if (seal_tmp || log_tmp) ::unlink((dir + "/" + n).c_str());
  });
}

void sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace esdb::detail
