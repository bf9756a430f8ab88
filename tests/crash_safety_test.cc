// Crash-safe writes: a writer killed with SIGKILL at any point leaves
// nothing at its destination (and a file that was there stays intact); the
// only thing it can leave behind is its temporary file, named
// ".NAME.esdb-tmp.XXXXXX" beside the destination so it is recognisable.
// Sorted runs are unlinked as soon as they are created, so they never stay.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace esdb::test {
namespace {

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bool is_temp_name(const std::string& name, const std::string& dest) {
  static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
  std::string base = std::regex_replace(dest, special, R"(\$&)");
  return std::regex_match(name, std::regex("\\." + base + "\\.esdb-tmp\\.[A-Za-z0-9]{6}"));
}

// Open files of `pid` in `dir` that have no name: the sorted runs
// (O_TMPFILE shows as "dir/#inode (deleted)", create+unlink as
// "dir/.name.esdb-run.XXXXXX (deleted)").
int deleted_runs_open(pid_t pid, const std::string& dir) {
  std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
  int n = 0;
  for (const std::string& fd : list_dir(fd_dir)) {
    char target[4096];
    ssize_t len = ::readlink((fd_dir + "/" + fd).c_str(), target, sizeof target - 1);
    if (len <= 0) continue;
    std::string t(target, static_cast<size_t>(len));
    if (t.rfind(dir + "/", 0) == 0 && t.find(" (deleted)") != std::string::npos) n++;
  }
  return n;
}

EventInput event(int i, std::string& data) {
  data = "event " + std::to_string(i) + " with some payload to make the runs grow quickly";
  return EventInput{.key = "", .timestamp = i * 7919 % 100003, .data = data};
}

// A writer in a child process. It reports over a pipe: 'a' once
// `mark_after` events were added (then it keeps adding, forever if
// `events` is 0), 'f' just before finish(), 'd' once finish() returned.
class WriterChild {
 public:
  WriterChild(const std::string& path, WriterOptions o, int mark_after, int events) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[0]);
      auto say = [&](char c) { (void)!::write(fds[1], &c, 1); };
      try {
        Writer w = Writer::create(path, o);
        std::string data, key;
        for (int i = 0; events == 0 || i < events; i++) {
          EventInput e = event(i, data);
          key = "key-" + std::to_string(i % 500);
          e.key = key;
          e.indexes = {{"kind", i % 3 ? "a" : "b"}};
          w.add(e);
          if (i + 1 == mark_after) say('a');
        }
        say('f');
        w.finish();
        say('d');
      } catch (...) {
        ::_exit(3);
      }
      ::_exit(0);
    }
    ::close(fds[1]);
    fd_ = fds[0];
  }
  ~WriterChild() {
    if (pid_ > 0) kill_now();
    if (fd_ >= 0) ::close(fd_);
  }
  pid_t pid() const { return pid_; }
  // Blocks until the child says `c` (true) or exits (false).
  bool wait_for(char c) {
    char got;
    while (::read(fd_, &got, 1) == 1) {
      said_ += got;
      if (got == c) return true;
    }
    return false;
  }
  // SIGKILLs the child and reaps it; true if it had finished writing.
  bool kill_now() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    char got;
    while (::read(fd_, &got, 1) == 1) said_ += got;
    return said_.find('d') != std::string::npos;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string said_;
};

class CrashSafetyTest : public ::testing::Test {
 protected:
  // After a kill: the destination holds `before` ("" = nothing), and every
  // other name in the directory is the writer's temporary file.
  void expect_safe(const std::string& before, const std::string& what) {
    if (before.empty()) {
      EXPECT_NE(::access(dest_.c_str(), F_OK), 0) << what << ": something is at the destination";
    } else {
      EXPECT_EQ(read_file(dest_), before) << what << ": the previous file changed";
    }
    for (const std::string& name : list_dir(dir_.dir())) {
      if (name == "out.esdb") continue;
      EXPECT_TRUE(is_temp_name(name, "out.esdb")) << what << ": unrecognisable leftover " << name;
      ::unlink(dir_.path(name).c_str());  // what a cleanup job would do
    }
  }
  // Puts a small finished file at the destination, or clears it.
  std::string prepare(bool previous) {
    ::unlink(dest_.c_str());
    return previous ? write_previous() : "";
  }
  std::string write_previous() {
    Model m;
    m.add({"old", 1, "previous contents", "", {}});
    write_model(m, dest_, {.overwrite = true});
    return read_file(dest_);
  }

  TempDir dir_;
  std::string dest_ = dir_.path("out.esdb");
  const WriterOptions tiny_budget_{.chunk_size = 4096, .overwrite = true, .memory_budget = 64 << 10, .sync = true};
};

TEST(CrashSafetyNames, TemporaryNamesAreRecognised) {
  EXPECT_TRUE(is_temp_name(".out.esdb.esdb-tmp.a1B2c3", "out.esdb"));
  EXPECT_FALSE(is_temp_name("out.esdb.esdb-tmp.a1B2c3", "out.esdb"));
  EXPECT_FALSE(is_temp_name(".outXesdb.esdb-tmp.a1B2c3", "out.esdb"));
  EXPECT_FALSE(is_temp_name(".out.esdb.esdb-run.a1B2c3", "out.esdb"));
}

TEST_F(CrashSafetyTest, KilledMidAddWithSpilledRuns) {
  for (bool previous : {false, true}) {
    std::string before = prepare(previous);
    WriterChild child(dest_, tiny_budget_, 20000, 0);
    ASSERT_TRUE(child.wait_for('a'));
    // The runs exist, open but already unlinked; only the temporary is named.
    EXPECT_GE(deleted_runs_open(child.pid(), dir_.dir()), 1) << "the budget should have forced spills";
    std::vector<std::string> names = list_dir(dir_.dir());
    EXPECT_EQ(names.size(), previous ? 2u : 1u);
    EXPECT_FALSE(child.kill_now());
    expect_safe(before, previous ? "mid-add over a previous file" : "mid-add");
  }
}

TEST_F(CrashSafetyTest, KilledMidFinish) {
  // finish() merges many runs and writes a few MiB; kills land at
  // increasing delays into it. Most land inside; a late one may find the
  // file renamed into place (perhaps before the child could say so), which
  // must then be whole and sound. Anything else must leave `before`.
  int landed_inside = 0;
  for (int delay_ms : {0, 3, 15, 60, 250}) {
    for (bool previous : {false, true}) {
      std::string what = "kill " + std::to_string(delay_ms) + " ms into finish" + (previous ? " over a previous file" : "");
      std::string before = prepare(previous);
      WriterChild child(dest_, tiny_budget_, 0, 60000);
      ASSERT_TRUE(child.wait_for('f')) << what;
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      const bool said_done = child.kill_now();
      const bool replaced = ::access(dest_.c_str(), F_OK) == 0 && read_file(dest_) != before;
      EXPECT_TRUE(replaced || !said_done) << what << ": finish() returned but the file is not in place";
      if (replaced) {
        Reader r = Reader::open(dest_);
        EXPECT_EQ(r.stats().event_count, 60000u) << what;
        EXPECT_TRUE(r.verify().empty()) << what;
        ::unlink(dest_.c_str());
        expect_safe("", what + " (finished)");
        continue;
      }
      landed_inside++;
      expect_safe(before, what);
    }
  }
  std::printf("crash safety: %d of 10 kills landed inside finish()\n", landed_inside);
  EXPECT_GE(landed_inside, 4);
}

TEST_F(CrashSafetyTest, WriterDestroyedWithoutFinishLeavesNothing) {
  {
    Writer w = Writer::create(dest_, tiny_budget_);
    std::string data;
    for (int i = 0; i < 20000; i++) {
      EventInput e = event(i, data);
      e.key = "k";
      w.add(e);
    }
    EXPECT_EQ(list_dir(dir_.dir()).size(), 1u);  // the temporary, nothing else
  }
  EXPECT_TRUE(list_dir(dir_.dir()).empty());
}

TEST_F(CrashSafetyTest, FailedAddThenDestroyLeavesNothing) {
  {
    Writer w = Writer::create(dest_);
    EXPECT_THROW(w.add({.key = ""}), Error);
  }
  EXPECT_TRUE(list_dir(dir_.dir()).empty());
}

TEST_F(CrashSafetyTest, ExistingFileWithoutOverwriteIsExists) {
  std::string before = write_previous();
  try {
    Writer::create(dest_);
    ADD_FAILURE() << "created over an existing file";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::exists);
  }
  EXPECT_EQ(read_file(dest_), before);
  EXPECT_EQ(list_dir(dir_.dir()), std::vector<std::string>{"out.esdb"});
}

TEST_F(CrashSafetyTest, FileAppearingDuringTheWriteIsNotReplaced) {
  Writer w = Writer::create(dest_);
  w.add({.key = "new", .timestamp = 1, .data = "x"});
  std::string before = write_previous();  // another writer got there first
  try {
    w.finish();
    ADD_FAILURE() << "replaced a file that appeared meanwhile";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::exists);
  }
  EXPECT_EQ(read_file(dest_), before);
  EXPECT_EQ(list_dir(dir_.dir()), std::vector<std::string>{"out.esdb"});
}

}  // namespace
}  // namespace esdb::test
