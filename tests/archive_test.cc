// An archive directory: rolling by size and age, reading sealed files and
// the open log as one, and opening settles each state a crash can leave.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "esdb/archive.h"
#include "test_util.h"

namespace esdb::test {
namespace {

ModelEvent numbered(uint64_t i) {
  ModelEvent e;
  e.key = "k" + std::to_string(i % 7);
  e.timestamp = static_cast<int64_t>(i % 11);
  e.group = i % 5 == 0 ? "g" : "";
  e.data = "event " + std::to_string(i);
  if (i % 2) e.indexes.push_back({"type", "odd"});
  return e;
}

void expect_dir_matches(const std::string& dir, const Model& m) {
  DirReader r = DirReader::open(dir);
  std::vector<std::string> names;
  for (const auto& [k, _] : m.keys()) names.push_back(k);
  ASSERT_EQ(r.keys(), names);
  for (const std::string& k : names) {
    for (bool reverse : {false, true}) {
      ScanOptions all{.reverse = reverse};
      ScanOptions odd{.index = IndexEntry{"type", "odd"}, .reverse = reverse};
      auto key = r.find(k);
      ASSERT_TRUE(key.has_value());
      EXPECT_EQ(key->event_count(), m.keys().at(k).size());
      EXPECT_EQ(collect(key->scan(all)), to_got(m.expect(k, all), false)) << k;
      EXPECT_EQ(collect(key->scan(odd)), to_got(m.expect(k, odd), false)) << k;
    }
  }
}

std::string seq_name(uint64_t seq, const char* ext) {
  char b[40];
  std::snprintf(b, sizeof b, "%020llu%s", static_cast<unsigned long long>(seq), ext);
  return b;
}

TEST(Archive, RollsBySizeAndReadsAsOne) {
  TempDir tmp;
  const std::string dir = tmp.path("a");
  Model m;
  {
    Archive a = Archive::open(dir, {.roll_size = 2000});
    for (uint64_t i = 0; i < 500; i++) {
      ModelEvent e = numbered(i);
      a.append(e.input());
      m.add(e);
      if (i % 97 == 0) {
        a.flush();
        expect_dir_matches(dir, m);
      }
    }
    a.flush();
    expect_dir_matches(dir, m);
    EXPECT_GT(DirReader::open(dir).sealed_paths().size(), 5u);
    EXPECT_THROW(Archive::open(dir), Error);  // one writer
  }
  expect_dir_matches(dir, m);
  Archive a = Archive::open(dir);
  EXPECT_EQ(a.log().event_count(), DirReader::open(dir).logs().at(0).event_count());
  a.close_and_seal();
  expect_dir_matches(dir, m);
  EXPECT_EQ(DirReader::open(dir).logs().at(0).event_count(), 0u);
}

TEST(Archive, RollsByAge) {
  TempDir tmp;
  Archive a = Archive::open(tmp.path("a"), {.roll_age = std::chrono::milliseconds(1)});
  a.append(numbered(0).input());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  a.roll_if_due();  // the next log starts at once; the seal runs in the background
  EXPECT_EQ(a.log().path(), tmp.path("a") + "/" + seq_name(2, ".log"));
  a.close();  // waits for it
  EXPECT_EQ(DirReader::open(tmp.path("a")).sealed_paths().size(), 1u);
}

// Rolls by size seal in the background, one at a time: the directory always
// reads as every event appended (at most one retired log beside the open
// one), and close() leaves every retired log sealed.
TEST(Archive, BackgroundSealsKeepTheDirectoryWhole) {
  TempDir tmp;
  const std::string dir = tmp.path("a");
  Model m;
  Archive a = Archive::open(dir, {.roll_size = 1500});
  for (uint64_t i = 0; i < 400; i++) {
    ModelEvent e = numbered(i);
    a.append(e.input());
    m.add(e);
    if (i % 50 == 49) {
      a.flush();
      const DirReader r = DirReader::open(dir);
      EXPECT_LE(r.logs().size(), 2u);
      uint64_t n = 0;
      for (const std::string& k : r.keys()) n += r.find(k)->event_count();
      EXPECT_EQ(n, i + 1);
    }
  }
  a.close();
  expect_dir_matches(dir, m);
  const DirReader r = DirReader::open(dir);
  EXPECT_EQ(r.logs().size(), 1u);  // only the open log is unsealed
  EXPECT_GT(r.sealed_paths().size(), 5u);
}

// A background seal that fails is reported by the next call, and its log
// stays the truth until an open seals it.
TEST(Archive, AFailedBackgroundSealIsReportedAndItsLogKept) {
  TempDir tmp;
  const std::string dir = tmp.path("a");
  Model m;
  const std::string blocker = dir + "/" + seq_name(1, ".esdb");
  {
    Archive a = Archive::open(dir, {.roll_size = 1000});
    ASSERT_EQ(::mkdir(blocker.c_str(), 0777), 0);  // log 1's sealed file cannot be put in place
    uint64_t i = 0;
    for (; a.log().path() == dir + "/" + seq_name(1, ".log"); i++) {
      a.append(numbered(i).input());
      m.add(numbered(i));
    }
    bool reported = false;
    for (int tries = 0; tries < 20000 && !reported; tries++) {  // the next call after it failed
      try {
        a.flush();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      } catch (const Error& e) {
        reported = true;
        EXPECT_NE(std::string(e.what()).find("in the background"), std::string::npos) << e.what();
      }
    }
    EXPECT_TRUE(reported);
    for (int n = 0; n < 5; n++, i++) {  // appending goes on
      a.append(numbered(i).input());
      m.add(numbered(i));
    }
    a.close();
  }
  EXPECT_EQ(::access((dir + "/" + seq_name(1, ".log")).c_str(), F_OK), 0);  // kept
  ASSERT_EQ(::rmdir(blocker.c_str()), 0);
  { Archive a = Archive::open(dir); }  // seals it
  EXPECT_NE(::access((dir + "/" + seq_name(1, ".log")).c_str(), F_OK), 0);
  expect_dir_matches(dir, m);
}

// Each state a kill during a roll can leave, made by hand.
TEST(Archive, OpeningSettlesInterruptedSeals) {
  TempDir tmp;
  const std::string dir = tmp.path("a");
  Model m;
  {
    Archive a = Archive::open(dir);
    for (uint64_t i = 0; i < 40; i++) {
      ModelEvent e = numbered(i);
      a.append(e.input());
      m.add(e);
    }
  }
  const std::string log1 = dir + "/" + seq_name(1, ".log");
  const std::string esdb1 = dir + "/" + seq_name(1, ".esdb");
  const std::string log_bytes = read_file(log1);

  // Killed after the sealed file was renamed into place, before the log went:
  // readers count the sealed file only, and opening removes the log.
  Log::open_read(log1).seal(esdb1);
  expect_dir_matches(dir, m);
  { Archive a = Archive::open(dir); }
  EXPECT_NE(::access(log1.c_str(), F_OK), 0);
  expect_dir_matches(dir, m);

  // Killed while the Writer wrote its temporary: the log is the truth and
  // the temporary goes.
  ::unlink(esdb1.c_str());
  write_file(log1, log_bytes);
  write_file(dir + "/." + seq_name(1, ".esdb") + ".esdb-tmp.Ab12Cd", "half a file");
  ::unlink((dir + "/" + seq_name(2, ".log")).c_str());
  { Archive a = Archive::open(dir); }
  EXPECT_NE(::access((dir + "/." + seq_name(1, ".esdb") + ".esdb-tmp.Ab12Cd").c_str(), F_OK), 0);
  expect_dir_matches(dir, m);

  // Killed after the next log was made, before the seal: the older log is
  // sealed on open, the newer one continued.
  write_file(dir + "/" + seq_name(2, ".log"), read_file(log1).substr(0, 16));
  expect_dir_matches(dir, m);
  {
    Archive a = Archive::open(dir);
    EXPECT_EQ(a.log().path(), dir + "/" + seq_name(2, ".log"));
  }
  EXPECT_EQ(::access(esdb1.c_str(), F_OK), 0);
  EXPECT_NE(::access(log1.c_str(), F_OK), 0);
  expect_dir_matches(dir, m);
}

}  // namespace
}  // namespace esdb::test
