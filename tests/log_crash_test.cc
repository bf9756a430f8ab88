// Kill -9 at random points of appending, flushing and sealing: a child
// process appends numbered events to an archive directory (rolling it into
// sealed files every few hundred events) and reports each flush() that
// returned; the parent SIGKILLs it at a random moment, sometimes leaves a
// partial record after the log's end as a kill inside write(2) would, and
// then checks what a reader sees: the events 0..M-1 exactly once each, with
// M at least the acknowledged count, and nothing corrupt. A last seal and a
// merge of the sealed files must give the bytes a clean build of 0..M-1 makes.
//
// ESDB_LOG_CRASH_KILLS sets the number of kills (default 200).
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <thread>

#include "esdb/archive.h"
#include "test_util.h"

namespace esdb::test {
namespace {

struct Gen {
  std::string key, data, type;
  EventInput at(uint64_t i) {
    key = "k" + std::to_string(i % 17);
    data = "event " + std::to_string(i) + std::string(i % 50, '.');
    type = "t" + std::to_string(i % 3);
    return EventInput{.key = key, .timestamp = static_cast<int64_t>((i / 3) % 1000), .data = data,
                      .indexes = {{"type", type}}};
  }
};

constexpr uint64_t kRollSize = 8 * 1024;

[[noreturn]] void child(const std::string& dir, uint64_t start, int ack_fd, unsigned seed) {
  try {
    std::mt19937 rng(seed);
    const Durability policies[] = {Durability::on_flush, Durability::every_append, Durability::interval};
    Archive a = Archive::open(dir, {.log = {.durability = policies[seed % 3], .interval = std::chrono::milliseconds(1)},
                                    .writer = {.compression_threads = 0},
                                    .roll_size = kRollSize});
    Gen g;
    for (uint64_t i = start; i < start + 20000; i++) {
      a.append(g.at(i));
      if (rng() % 8 == 0) {
        a.flush();
        const uint64_t acked = i + 1;
        if (::write(ack_fd, &acked, sizeof acked) != sizeof acked) ::_exit(4);
      }
    }
    ::_exit(0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child: %s\n", e.what());
    ::_exit(3);
  }
}

// Every event a reader of the directory sees, by number; fails on anything
// that is not one of the generated events.
std::vector<uint64_t> seen_events(const std::string& dir) {
  DirReader r = DirReader::open(dir);
  std::vector<uint64_t> ids;
  Gen g;
  for (const std::string& k : r.keys()) {
    for (const Event& e : r.find(k)->scan()) {
      const uint64_t id = std::strtoull(std::string(e.data.substr(6)).c_str(), nullptr, 10);
      const EventInput want = g.at(id);
      EXPECT_EQ(k, want.key);
      EXPECT_EQ(e.data, want.data);
      EXPECT_EQ(e.timestamp, want.timestamp);
      ids.push_back(id);
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> names_in(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > ext.size() && n.compare(n.size() - ext.size(), ext.size(), ext) == 0) out.push_back(dir + "/" + n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// The name of the log the next roll creates: one past the newest sequence
// number in the directory.
std::string first_roll_log(const std::string& dir) {
  uint64_t newest = 0;
  DIR* d = ::opendir(dir.c_str());
  if (d) {
    while (dirent* e = ::readdir(d)) newest = std::max<uint64_t>(newest, std::strtoull(e->d_name, nullptr, 10));
    ::closedir(d);
  }
  char name[32];
  std::snprintf(name, sizeof name, "%020llu.log", static_cast<unsigned long long>(newest + 1));
  return name;
}

TEST(LogCrash, KilledWritersLoseNothingAcknowledgedAndDuplicateNothing) {
  const char* env = std::getenv("ESDB_LOG_CRASH_KILLS");
  const int kills = env ? std::atoi(env) : 200;
  TempDir tmp;
  const std::string dir = tmp.path("archive");
  std::mt19937_64 rng(2024);
  uint64_t present = 0;
  int mid_seal = 0, torn_added = 0;
  for (int round = 0; round < kills; round++) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      child(dir, present, fds[1], static_cast<unsigned>(round));
    }
    ::close(fds[1]);
    // Kill after a random number of acknowledged flushes, or (every other
    // round) once a roll has started (its new log is there), a random moment
    // later: the retired log is then being sealed in the background while
    // appends go on into the new one.
    uint64_t acked = present, v;
    const bool at_seal = round % 2 == 1;
    const int wait_acks = at_seal ? 0 : 1 + static_cast<int>(rng() % 12);
    bool child_gone = false, reaped = false;
    int status = 0;
    if (at_seal) {
      const std::string next_log_of_first_roll = dir + "/" + first_roll_log(dir);
      for (int spin = 0; spin < 200000 && ::access(next_log_of_first_roll.c_str(), F_OK) != 0; spin++) {
        if (::waitpid(pid, &status, WNOHANG) == pid) {
          reaped = child_gone = true;
          break;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
    }
    for (int i = 0; i < wait_acks; i++) {
      if (::read(fds[0], &v, sizeof v) != sizeof v) {
        child_gone = true;
        break;
      }
      acked = v;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
    if (!reaped) ::kill(pid, SIGKILL);
    while (::read(fds[0], &v, sizeof v) == sizeof v) acked = v;  // acks sent before the kill count
    ::close(fds[0]);
    if (!reaped) ::waitpid(pid, &status, 0);
    ASSERT_FALSE(child_gone && !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
        << "the child failed on its own (exit " << WEXITSTATUS(status) << ")";

    // What the kill left: a seal cut short shows as two logs, a log beside its
    // sealed file, or the writer's temporary.
    const auto logs = names_in(dir, ".log");
    bool leftover = logs.size() > 1;
    for (const std::string& l : logs) leftover |= ::access((l.substr(0, l.size() - 4) + ".esdb").c_str(), F_OK) == 0;
    DIR* d = ::opendir(dir.c_str());
    while (dirent* e = ::readdir(d)) leftover |= std::string(e->d_name).find("esdb-tmp") != std::string::npos;
    ::closedir(d);
    mid_seal += leftover;
    // A kill inside write(2) leaves part of a record after the end.
    if (rng() % 4 == 0 && !logs.empty()) {
      std::string junk(1 + rng() % 60, '\0');
      if (rng() % 2) for (char& c : junk) c = static_cast<char>(rng());
      std::string bytes = read_file(logs.back()) + junk;
      write_file(logs.back(), bytes);
      torn_added++;
    }

    const std::vector<uint64_t> ids = seen_events(dir);
    ASSERT_GE(ids.size(), acked) << "round " << round << ": acknowledged events are missing";
    for (uint64_t i = 0; i < ids.size(); i++) ASSERT_EQ(ids[i], i) << "round " << round << ": not 0..M-1 exactly once";
    present = ids.size();
  }
  std::cout << kills << " kills, " << present << " events, " << mid_seal << " kills left a seal unfinished, "
            << torn_added << " partial records added\n";
  if (kills >= 20) {
    EXPECT_GT(mid_seal, 0) << "no kill landed inside a (background) seal";
  }

  // Seal what is left and compare with a clean build of the same events.
  {
    Archive a = Archive::open(dir);
    a.close_and_seal();
  }
  EXPECT_EQ(names_in(dir, ".log").size(), 1u);  // the new, empty log
  EXPECT_EQ(seen_events(dir).size(), present);
  merge(names_in(dir, ".esdb"), tmp.path("merged.esdb"));
  {
    Writer w = Writer::create(tmp.path("clean.esdb"));
    Gen g;
    for (uint64_t i = 0; i < present; i++) w.add(g.at(i));
    w.finish();
  }
  EXPECT_EQ(read_file(tmp.path("merged.esdb")), read_file(tmp.path("clean.esdb")));
}

}  // namespace
}  // namespace esdb::test
