// An archive directory: rolling by size and age, reading sealed files and
// the open log as one, and opening settles each state a crash can leave.
#include <gtest/gtest.h>
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
  a.roll_if_due();
  EXPECT_EQ(DirReader::open(tmp.path("a")).sealed_paths().size(), 1u);
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
