#include "measure.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace esdb::bench {
namespace fs = std::filesystem;

Latency Latency::of(std::vector<double> s) {
  Latency l;
  l.count = s.size();
  if (s.empty()) return l;
  std::sort(s.begin(), s.end());
  double sum = 0;
  for (double v : s) sum += v;
  l.mean_us = sum / static_cast<double>(s.size()) * 1e6;
  l.p50_us = s[s.size() / 2] * 1e6;
  l.p99_us = s[std::min(s.size() - 1, s.size() * 99 / 100)] * 1e6;
  return l;
}

namespace {

uint64_t current_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

struct Message {
  double seconds;
  uint64_t baseline_kib;
  char error[1024];
};

}  // namespace

ChildBuild build_in_child(const std::function<void()>& build) {
  malloc_trim(0);  // freed memory the child could reuse would hide its allocations
  std::fflush(nullptr);
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    Message m{};
    m.baseline_kib = current_rss_kib();
    try {
      const double t0 = now_seconds();
      build();
      m.seconds = now_seconds() - t0;
    } catch (const std::exception& e) {
      std::snprintf(m.error, sizeof m.error, "%s", e.what());
      if (m.error[0] == 0) m.error[0] = '?';
    }
    (void)!write(fds[1], &m, sizeof m);
    std::fflush(nullptr);
    _exit(0);
  }
  close(fds[1]);
  Message m{};
  size_t got = 0;
  while (got < sizeof m) {
    const ssize_t n = read(fds[0], reinterpret_cast<char*>(&m) + got, sizeof m - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(fds[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  if (got != sizeof m || !WIFEXITED(status)) throw std::runtime_error("build child died");
  if (m.error[0] != 0) throw std::runtime_error(m.error);
  const auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return {m.seconds, m.baseline_kib, static_cast<uint64_t>(ru.ru_maxrss), secs(ru.ru_utime) + secs(ru.ru_stime)};
}

uint64_t disk_bytes(const std::string& path) {
  if (!fs::is_directory(path)) return fs::file_size(path);
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(path)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

void warm(const std::string& path) {
  std::vector<std::string> files;
  if (fs::is_directory(path)) {
    for (const auto& e : fs::recursive_directory_iterator(path)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
  } else {
    files.push_back(path);
  }
  std::vector<char> buf(1 << 20);
  for (const std::string& f : files) {
    const int fd = open(f.c_str(), O_RDONLY);
    if (fd < 0) continue;
    while (read(fd, buf.data(), buf.size()) > 0) {
    }
    close(fd);
  }
}

void remove_all(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

}  // namespace esdb::bench
