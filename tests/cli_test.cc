// The esdb command-line tool, run as a separate process on the fixtures in
// tests/fixtures/ and checked for exact output and exit codes.
//
// events.jsonl, by line (line 6 is blank):
//   1 c-1 web   1403534923 view     tags new,promo
//   2 c-2 store 1403534930 purchase
//   3 c-1 web   1403534950 purchase tags promo
//   4 c-1 app   2014-06-23T14:49:10Z (= 1403534950) view
//   5 c-3 (no group) 1403535000 refund
//   7 c-1 web   1403534950 view     (same second as line 3)
//   8 c-2 store 1403534900 view     tags []
//   9 c-1 web   1403535100 purchase (non-ASCII, escaped quotes)
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "format/checksum.h"
#include "format/coding.h"
#include "format/format.h"
#include "test_util.h"
#include "tool_process.h"

namespace {

using esdb::test::read_file;
using esdb::test::required_flags;
using esdb::test::TempDir;
using esdb::test::write_file;

using Result = esdb::test::ToolResult;

std::string fixture(const std::string& name) {
  return std::string(ESDB_TEST_DATA_DIR) + "/fixtures/" + name;
}

// Line n (from 1) of a fixture, with its newline.
std::string line(int n, const std::string& name = "events.jsonl") {
  std::ifstream in(fixture(name));
  std::string text;
  for (int i = 0; i < n; ++i) std::getline(in, text);
  return text + "\n";
}

std::string lines(std::initializer_list<int> ns) {
  std::string s;
  for (int n : ns) s += line(n);
  return s;
}

// The `--format json` envelope of fixture line n.
std::string envelope(int n, const std::string& key, int64_t time, const std::string& group) {
  std::string data = line(n);
  data.pop_back();
  return "{\"key\":\"" + key + "\",\"time\":" + std::to_string(time) + ",\"group\":\"" + group +
         "\",\"data\":" + data + "}\n";
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(d);
  }
  return names;
}

class CliTest : public ::testing::Test {
 protected:
  // Runs the tool with `args`, standard input from `stdin_path`.
  Result run(const std::vector<std::string>& args, const std::string& stdin_path = "/dev/null") {
    return esdb::test::run_tool(args, io_, stdin_path);
  }

  std::string path(const std::string& name) const { return dir_.path(name); }

  // events.jsonl built with groups and two index fields.
  std::string build_events() {
    const std::string out = path("events.esdb");
    const Result r = run({"build", out, fixture("events.jsonl"), "--key", "customer", "--time", "ts",
                          "--group", "channel", "--index", "type", "--index", "tags"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    return out;
  }

  TempDir dir_;  // files the tests make
  TempDir io_;   // captured output, kept apart so dir_ shows only what the tool left
};

// ---- get ----

TEST_F(CliTest, GetPrintsOldestFirstAcrossGroups) {
  const std::string f = build_events();
  const Result r = run({"get", f, "c-1"});
  EXPECT_EQ(r.code, 0);
  // Equal timestamps: the app group (stored first) before web; within web, input order.
  EXPECT_EQ(r.out, lines({1, 4, 3, 7, 9}));
  EXPECT_EQ(r.err, "");
}

TEST_F(CliTest, GetReverseIsExactlyReversed) {
  const std::string f = build_events();
  EXPECT_EQ(run({"get", f, "c-1", "--reverse"}).out, lines({9, 7, 3, 4, 1}));
}

TEST_F(CliTest, GetGroup) {
  const std::string f = build_events();
  EXPECT_EQ(run({"get", f, "c-1", "--group", "web"}).out, lines({1, 3, 7, 9}));
  EXPECT_EQ(run({"get", f, "c-3", "--group", ""}).out, lines({5}));
  const Result none = run({"get", f, "c-1", "--group", "store"});
  EXPECT_EQ(none.code, 0);  // the key exists; nothing matched
  EXPECT_EQ(none.out, "");
}

TEST_F(CliTest, GetIndex) {
  const std::string f = build_events();
  EXPECT_EQ(run({"get", f, "c-1", "--index", "type=purchase", "--reverse"}).out, lines({9, 3}));
  // An array value indexes every element.
  EXPECT_EQ(run({"get", f, "c-1", "--index", "tags=promo"}).out, lines({1, 3}));
  EXPECT_EQ(run({"get", f, "c-1", "--index", "tags=new"}).out, lines({1}));
  EXPECT_EQ(run({"get", f, "c-2", "--index", "tags="}).out, "");
}

TEST_F(CliTest, GetTimeRangeIsHalfOpen) {
  const std::string f = build_events();
  EXPECT_EQ(run({"get", f, "c-1", "--from", "1403534950", "--to", "1403535100"}).out, lines({4, 3, 7}));
  EXPECT_EQ(run({"get", f, "c-1", "--from", "2014-06-23T14:49:10Z", "--to", "2014-06-23T16:51:40+02:00"}).out,
            lines({4, 3, 7}));
  EXPECT_EQ(run({"get", f, "c-1", "--from", "1403535100"}).out, lines({9}));
  EXPECT_EQ(run({"get", f, "c-1", "--to", "1403534950"}).out, lines({1}));
}

TEST_F(CliTest, GetLimitAndJsonFormat) {
  const std::string f = build_events();
  const Result r = run({"get", f, "c-1", "--limit", "2", "--format", "json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, envelope(1, "c-1", 1403534923, "web") + envelope(4, "c-1", 1403534950, "app"));
  EXPECT_EQ(run({"get", f, "c-1", "--limit", "0"}).out, "");
  EXPECT_EQ(run({"get", f, "c-3", "--format", "json"}).out, envelope(5, "c-3", 1403535000, ""));
}

TEST_F(CliTest, GetMissingKeyPrintsNothingAndExits1) {
  const std::string f = build_events();
  const Result r = run({"get", f, "c-404"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
}

// ---- scan, keys, info ----

TEST_F(CliTest, ScanAllKeys) {
  const std::string f = build_events();
  EXPECT_EQ(run({"scan", f}).out, lines({1, 4, 3, 7, 9, 8, 2, 5}));
  EXPECT_EQ(run({"scan", f, "--limit", "6"}).out, lines({1, 4, 3, 7, 9, 8}));
  EXPECT_EQ(run({"scan", f, "--index", "type=view", "--format", "json"}).out,
            envelope(1, "c-1", 1403534923, "web") + envelope(4, "c-1", 1403534950, "app") +
                envelope(7, "c-1", 1403534950, "web") + envelope(8, "c-2", 1403534900, "store"));
  EXPECT_EQ(run({"scan", f, "--group", "store", "--reverse"}).out, lines({2, 8}));
}

TEST_F(CliTest, Keys) {
  const std::string f = build_events();
  EXPECT_EQ(run({"keys", f}).out, "c-1\nc-2\nc-3\n");
  EXPECT_EQ(run({"keys", f, "--counts"}).out, "c-1\t5\nc-2\t2\nc-3\t1\n");
}

TEST_F(CliTest, InfoText) {
  const std::string f = build_events();
  const Result r = run({"info", f});
  EXPECT_EQ(r.code, 0);
  for (const char* want : {"format version:  1\n", "keys:            3\n", "events:          8\n",
                           "min timestamp:   1403534900\n", "max timestamp:   1403535100\n",
                           "groups:          4\n", "  \"\": 1 events in 1 keys\n",
                           "  \"web\": 4 events in 1 keys\n", "indexes:         2\n",
                           "  \"tags\": 2 distinct values, 3 entries\n",
                           "  \"type\": 3 distinct values, 8 entries\n"}) {
    EXPECT_NE(r.out.find(want), std::string::npos) << "missing " << want << " in\n" << r.out;
  }
}

TEST_F(CliTest, InfoJson) {
  const std::string f = build_events();
  const Result r = run({"info", f, "--json"});
  ASSERT_EQ(r.code, 0);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(j["key_count"], 3);
  EXPECT_EQ(j["event_count"], 8);
  EXPECT_EQ(j["min_timestamp"], 1403534900);
  EXPECT_EQ(j["max_timestamp"], 1403535100);
  EXPECT_EQ(j["file_size"], read_file(f).size());
  EXPECT_EQ(j["groups"].size(), 4u);
  EXPECT_EQ(j["groups"][3], (nlohmann::json{{"name", "web"}, {"events", 4}, {"keys", 1}}));
  EXPECT_EQ(j["indexes"][0], (nlohmann::json{{"name", "tags"}, {"distinct_values", 2}, {"entries", 3}}));
  EXPECT_TRUE(j["compression_ratio"].is_number());
  EXPECT_TRUE(j["bytes_per_event"].is_number());
}

// A file with a zstd dictionary reports its size, read here from the footer
// (SPEC.md: the block from dictionary_offset to key_table_offset, 5-byte trailer).
TEST_F(CliTest, InfoShowsTheZstdDictionary) {
  const std::string f = std::string(ESDB_TEST_DATA_DIR) + "/golden/v1_zstd_dictionary.esdb";
  const std::string b = read_file(f);
  const char* footer = b.data() + b.size() - 128;
  uint64_t key_table = 0, dictionary = 0;
  std::memcpy(&key_table, footer, 8);
  std::memcpy(&dictionary, footer + 96, 8);
  ASSERT_GT(dictionary, 0u);
  const uint64_t size = key_table - dictionary - 5;
  const Result r = run({"info", f});
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("zstd dictionary: " + std::to_string(size) + " bytes\n"), std::string::npos) << r.out;
  const nlohmann::json j = nlohmann::json::parse(run({"info", f, "--json"}).out);
  EXPECT_EQ(j["zstd_dictionary_bytes"], size);
  EXPECT_EQ(nlohmann::json::parse(run({"info", build_events(), "--json"}).out)["zstd_dictionary_bytes"], 0);
}

// ---- build ----

TEST_F(CliTest, BadLineStopsBuildAndLeavesNoFile) {
  const std::string out = path("bad.esdb");
  const Result r = run({"build", out, fixture("bad.jsonl"), "--key", "customer", "--time", "ts"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind("esdb: " + fixture("bad.jsonl") + ":3: invalid JSON", 0), 0u) << r.err;
  EXPECT_EQ(list_dir(dir_.dir()), std::vector<std::string>{});  // no output, no temporaries
}

TEST_F(CliTest, SkipBadCountsAndGoesOn) {
  const std::string out = path("bad.esdb");
  const Result r = run({"build", out, fixture("bad.jsonl"), "--key", "customer", "--time", "ts", "--skip-bad"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.err.find(fixture("bad.jsonl") + ":3: invalid JSON"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fixture("bad.jsonl") + ":5: no time field \"ts\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("skipped 2 bad records"), std::string::npos) << r.err;
  EXPECT_EQ(run({"scan", out}).out, line(1, "bad.jsonl") + line(2, "bad.jsonl") + line(4, "bad.jsonl"));
}

TEST_F(CliTest, StandardInputAndExistingOutput) {
  const std::string out = path("stdin.esdb");
  const std::vector<std::string> args{"build", out, "--key", "customer", "--time", "ts", "-q"};
  EXPECT_EQ(run(args, fixture("events.jsonl")).code, 0);
  EXPECT_EQ(run({"keys", out, "--counts"}).out, "c-1\t5\nc-2\t2\nc-3\t1\n");

  const Result again = run(args, fixture("events.jsonl"));
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  std::vector<std::string> forced = args;
  forced.push_back("--force");
  forced.push_back("-");
  EXPECT_EQ(run(forced, fixture("bad.jsonl")).code, 2);  // a bad line keeps the old file
  EXPECT_EQ(run({"keys", out}).out, "c-1\nc-2\nc-3\n");
}

TEST_F(CliTest, Csv) {
  const std::string out = path("csv.esdb");
  const Result r = run({"build", out, fixture("events.csv"), "--csv", "--key", "customer", "--time", "ts",
                        "--group", "channel", "--index", "type"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(run({"dump", out}).out,
            R"({"key":"c-1","time":1403534950,"group":"app","data":{"customer":"c-1","ts":"2014-06-23T14:49:10Z","channel":"app","type":"view","total":""},"indexes":[["type","view"]]}
{"key":"c-1","time":1403534923,"group":"web","data":{"customer":"c-1","ts":"1403534923","channel":"web","type":"view","total":""},"indexes":[["type","view"]]}
{"key":"c-1","time":1403534950,"group":"web","data":{"customer":"c-1","ts":"1403534950","channel":"web","type":"purchase","total":"42,99"},"indexes":[["type","purchase"]]}
{"key":"c-2","time":1403534930,"group":"store","data":{"customer":"c-2","ts":"1403534930","channel":"store","type":"purchase","total":"12.5"},"indexes":[["type","purchase"]]}
{"key":"c-3","time":1403535000,"group":"","data":{"customer":"c-3","ts":"1403535000","channel":"","type":"refund","total":"-5 \"approx\"\nsecond line"},"indexes":[["type","refund"]]}
)");
  const Result missing = run({"build", path("x.esdb"), fixture("events.csv"), "--csv", "--key", "nope", "--time", "ts"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find(":1: no column \"nope\" in the header"), std::string::npos) << missing.err;
}

TEST_F(CliTest, CompressedInputs) {
  const std::string plain = build_events();
  const std::string want = run({"dump", plain}).out;
  ASSERT_FALSE(want.empty());
  for (const char* suffix : {".gz", ".bz2", ".zst"}) {
    const std::string out = path(std::string("z") + suffix + ".esdb");
    const Result r = run({"build", out, fixture(std::string("events.jsonl") + suffix), "--key", "customer",
                          "--time", "ts", "--group", "channel", "--index", "type", "--index", "tags"});
    EXPECT_EQ(r.code, 0) << suffix << ": " << r.err;
    EXPECT_EQ(run({"dump", out}).out, want) << suffix;
  }
  // A damaged stream is an input error naming the file, not a crash.
  const std::string gz = read_file(fixture("events.jsonl.gz"));
  write_file(path("cut.jsonl.gz"), gz.substr(0, gz.size() / 2));
  const Result cut = run({"build", path("cut.esdb"), path("cut.jsonl.gz"), "--key", "customer", "--time", "ts"});
  EXPECT_EQ(cut.code, 2);
  EXPECT_NE(cut.err.find("cut.jsonl.gz"), std::string::npos) << cut.err;
}

TEST_F(CliTest, TimeUnits) {
  write_file(path("t.jsonl"),
             "{\"k\":\"a\",\"t\":\"1970-01-01T00:00:01.2345Z\"}\n{\"k\":\"a\",\"t\":5}\n"
             "{\"k\":\"a\",\"t\":\"1969-12-31T23:59:59.9999Z\"}\n");
  ASSERT_EQ(run({"build", path("ms.esdb"), path("t.jsonl"), "--key", "k", "--time", "t", "--time-unit", "ms"}).code, 0);
  const Result r = run({"dump", path("ms.esdb")});
  // Stored as given in the unit; extra digits round toward the past.
  EXPECT_NE(r.out.find("\"time\":-1,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"time\":5,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"time\":1234,"), std::string::npos) << r.out;
  EXPECT_EQ(run({"get", path("ms.esdb"), "a", "--from", "1970-01-01T00:00:00.006Z", "--time-unit", "ms"}).out,
            "{\"k\":\"a\",\"t\":\"1970-01-01T00:00:01.2345Z\"}\n");
  const Result bad = run({"build", path("s.esdb"), path("t.jsonl"), "--key", "k", "--time", "t", "--time-unit", "h"});
  EXPECT_EQ(bad.code, 2);
}

// ---- dump, merge, verify ----

TEST_F(CliTest, DumpBuildRoundTrip) {
  const std::string a = build_events();
  const Result dump = run({"dump", a});
  ASSERT_EQ(dump.code, 0);
  write_file(path("a.dump"), dump.out);
  // Through standard input, as in `esdb dump A | esdb build B --from-dump`.
  const Result r = run({"build", path("b.esdb"), "--from-dump"}, path("a.dump"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(run({"dump", path("b.esdb")}).out, dump.out);
  EXPECT_EQ(run({"get", path("b.esdb"), "c-1", "--index", "tags=promo"}).out, lines({1, 3}));
}

TEST_F(CliTest, DumpKeepsBytesThatAreNotJson) {
  // Keys, groups, data and index entries that are not UTF-8 or not JSON.
  const std::string fx = fixture("binary.dump.jsonl");
  ASSERT_EQ(run({"build", path("bin.esdb"), fx, "--from-dump"}).code, 0);
  EXPECT_EQ(run({"dump", path("bin.esdb")}).out, read_file(fx));
  EXPECT_EQ(run({"get", path("bin.esdb"), "a", "--limit", "2"}).out, "\nplain text\nwith a line break\n");
  EXPECT_EQ(run({"keys", path("bin.esdb")}).out, "a\n\xff\xfekey\n");
}

TEST_F(CliTest, Merge) {
  const std::string a = build_events();
  ASSERT_EQ(run({"build", path("c.esdb"), fixture("events.csv"), "--csv", "--key", "customer", "--time", "ts",
                 "--group", "channel", "--index", "type"})
                .code,
            0);
  const Result r = run({"merge", path("m.esdb"), a, path("c.esdb")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(run({"keys", path("m.esdb"), "--counts"}).out, "c-1\t8\nc-2\t3\nc-3\t2\n");
  // Equal (group, timestamp): the first input's events come first.
  const std::string csv3 = "{\"customer\":\"c-1\",\"ts\":\"1403534950\",\"channel\":\"web\",\"type\":\"purchase\",\"total\":\"42,99\"}\n";
  EXPECT_EQ(run({"get", path("m.esdb"), "c-1", "--group", "web", "--from", "1403534950", "--to", "1403534951"}).out,
            lines({3, 7}) + csv3);
  // Index entries survive the merge.
  EXPECT_EQ(run({"get", path("m.esdb"), "c-1", "--index", "tags=promo"}).out, lines({1, 3}));
  EXPECT_EQ(run({"verify", path("m.esdb")}).out, "ok\n");
  EXPECT_EQ(run({"merge", path("m.esdb"), a}).code, 2);  // exists
  EXPECT_EQ(run({"merge", path("m.esdb"), a, "--force"}).code, 0);
  EXPECT_EQ(run({"dump", path("m.esdb")}).out, run({"dump", a}).out);
}

TEST_F(CliTest, VerifyOkAndCorrupt) {
  const std::string f = build_events();
  const Result ok = run({"verify", f});
  EXPECT_EQ(ok.code, 0);
  EXPECT_EQ(ok.out, "ok\n");
  const std::string bytes = read_file(f);
  for (size_t at : {size_t{0}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    std::string bad = bytes;
    bad[at] ^= 0x40;
    write_file(path("bad.esdb"), bad);
    const Result r = run({"verify", path("bad.esdb")});
    bool opens = true;
    try {
      esdb::Reader::open(path("bad.esdb"));
    } catch (const esdb::Error&) {
      opens = false;
    }
    // A file that opens gets a verdict (1); one that cannot be opened is an
    // input error (2), as for get.
    EXPECT_EQ(r.code, opens ? 1 : 2) << "byte " << at;
    EXPECT_NE(r.out, "ok\n");
    EXPECT_NE((opens ? r.out : r.err).find("offset"), std::string::npos) << r.out << r.err;
    // Reading commands report damage as an input error, never crash.
    for (const char* cmd : {"dump", "scan", "keys", "info"}) {
      const int code = run({cmd, path("bad.esdb")}).code;
      EXPECT_TRUE(code == 0 || code == 2) << cmd << " exited " << code << " at byte " << at;
    }
  }
}

// ---- several files ----
//
// multi1..3.jsonl hold keys a, b, c, d (c only in multi2, d only in multi1);
// each record's "id" names its file and line. Built with groups (g) and an
// index on type, the key "a" holds, by (time, group):
//   5 "" 3b | 10 web 1a | 20 web 2a | 30 app 1b 2b | 30 web 2c 3a | 40 app 2f | 40 web 1e

// The fixture lines of the records with these ids, in this order.
std::string recs(std::initializer_list<const char*> ids) {
  std::string s;
  for (const char* id : ids) {
    bool found = false;
    for (const char* name : {"multi1.jsonl", "multi2.jsonl", "multi3.jsonl"}) {
      std::ifstream in(fixture(name));
      for (std::string text; std::getline(in, text);) {
        if (text.find("\"id\":\"" + std::string(id) + "\"") != std::string::npos) {
          s += text + "\n";
          found = true;
        }
      }
    }
    EXPECT_TRUE(found) << "no record " << id;
  }
  return s;
}

class MultiFileTest : public CliTest {
 protected:
  void SetUp() override {
    for (int i = 1; i <= 3; ++i) {
      const std::string out = path("day" + std::to_string(i) + ".esdb");
      const Result r = run({"build", out, fixture("multi" + std::to_string(i) + ".jsonl"), "--key", "c", "--time",
                            "t", "--group", "g", "--index", "type"});
      ASSERT_EQ(r.code, 0) << r.err;
      days_.push_back(out);
    }
  }

  // The tool's output for `cmd FILES... rest...`.
  std::string out(const std::string& cmd, const std::vector<std::string>& files, const std::vector<std::string>& rest) {
    std::vector<std::string> args{cmd};
    args.insert(args.end(), files.begin(), files.end());
    args.insert(args.end(), rest.begin(), rest.end());
    const Result r = run(args);
    EXPECT_EQ(r.err, "");
    return r.out;
  }

  std::vector<std::string> days_;  // day1.esdb .. day3.esdb
};

TEST_F(MultiFileTest, GetMergesByTimeAcrossFilesAndGroups) {
  const Result r = run({"get", days_[0], days_[1], days_[2], "a"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "");
  // Equal times: group order first (app before web), then the order the files were given.
  EXPECT_EQ(r.out, recs({"3b", "1a", "2a", "1b", "2b", "2c", "3a", "2f", "1e"}));
  EXPECT_EQ(out("get", {days_[2], days_[1], days_[0]}, {"a"}),
            recs({"3b", "1a", "2a", "2b", "1b", "3a", "2c", "2f", "1e"}));
  EXPECT_EQ(out("get", days_, {"a", "--reverse"}), recs({"1e", "2f", "3a", "2c", "2b", "1b", "2a", "1a", "3b"}));
  // A key in one file only.
  EXPECT_EQ(out("get", days_, {"d"}), recs({"1d"}));
  EXPECT_EQ(out("get", days_, {"c", "--reverse"}), recs({"2e"}));
  const Result missing = run({"get", days_[0], days_[1], days_[2], "zz"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.out, "");
}

TEST_F(MultiFileTest, GetFlags) {
  EXPECT_EQ(out("get", days_, {"a", "--group", "web"}), recs({"1a", "2a", "2c", "3a", "1e"}));
  EXPECT_EQ(out("get", days_, {"a", "--group", "app", "--reverse"}), recs({"2f", "2b", "1b"}));
  EXPECT_EQ(out("get", days_, {"a", "--group", "", "--reverse"}), recs({"3b"}));
  EXPECT_EQ(out("get", days_, {"a", "--index", "type=buy"}), recs({"2a", "1b", "3a"}));
  EXPECT_EQ(out("get", days_, {"a", "--index", "type=buy", "--reverse"}), recs({"3a", "1b", "2a"}));
  EXPECT_EQ(out("get", days_, {"a", "--limit", "4"}), recs({"3b", "1a", "2a", "1b"}));
  EXPECT_EQ(out("get", days_, {"a", "--reverse", "--limit", "2"}), recs({"1e", "2f"}));
  EXPECT_EQ(out("get", days_, {"a", "--limit", "0"}), "");
  EXPECT_EQ(out("get", days_, {"a", "--from", "20", "--to", "40"}), recs({"2a", "1b", "2b", "2c", "3a"}));
  std::string b3c = recs({"3c"}), b1c = recs({"1c"});
  b3c.pop_back();
  b1c.pop_back();
  EXPECT_EQ(out("get", days_, {"b", "--format", "json", "--limit", "2"}),
            "{\"key\":\"b\",\"time\":15,\"group\":\"app\",\"data\":" + b3c + "}\n" +
                "{\"key\":\"b\",\"time\":20,\"group\":\"web\",\"data\":" + b1c + "}\n");
}

TEST_F(MultiFileTest, GetMatchesGetOnTheMergedFile) {
  ASSERT_EQ(run({"merge", path("all.esdb"), days_[0], days_[1], days_[2]}).code, 0);
  for (const char* key : {"a", "b", "c", "d"}) {
    for (const std::vector<std::string>& flags : std::vector<std::vector<std::string>>{
             {}, {"--reverse"}, {"--group", "web"}, {"--index", "type=view", "--reverse"}, {"--limit", "3"}}) {
      std::vector<std::string> rest{key};
      rest.insert(rest.end(), flags.begin(), flags.end());
      EXPECT_EQ(out("get", days_, rest), out("get", {path("all.esdb")}, rest)) << key;
    }
  }
  EXPECT_EQ(out("scan", days_, {}), out("scan", {path("all.esdb")}, {}));
  EXPECT_EQ(out("keys", days_, {"--counts"}), out("keys", {path("all.esdb")}, {"--counts"}));
}

TEST_F(MultiFileTest, Scan) {
  const std::string a = recs({"3b", "1a", "2a", "1b", "2b", "2c", "3a", "2f", "1e"});
  EXPECT_EQ(out("scan", days_, {}), a + recs({"3c", "1c", "2d", "2e", "1d"}));
  EXPECT_EQ(out("scan", days_, {"--limit", "10"}), a + recs({"3c"}));
  EXPECT_EQ(out("scan", days_, {"--group", "web", "--reverse"}), recs({"1e", "3a", "2c", "2a", "1a", "2d", "1c", "1d"}));
  EXPECT_EQ(out("scan", days_, {"--index", "type=buy"}), recs({"2a", "1b", "3a", "3c"}));
}

TEST_F(MultiFileTest, KeysOnceWithCountsSummed) {
  EXPECT_EQ(out("keys", days_, {}), "a\nb\nc\nd\n");
  EXPECT_EQ(out("keys", days_, {"--counts"}), "a\t9\nb\t3\nc\t1\nd\t1\n");
  EXPECT_EQ(out("keys", {days_[0], days_[2]}, {"--counts"}), "a\t5\nb\t2\nd\t1\n");
}

TEST_F(MultiFileTest, QuotedGlobs) {
  // The tool expands patterns itself (no shell here), sorted: day1, day2, day3.
  EXPECT_EQ(out("get", {path("day*.esdb")}, {"a"}), out("get", days_, {"a"}));
  EXPECT_EQ(out("get", {path("day[32].esdb"), days_[0]}, {"a"}), out("get", {days_[1], days_[2], days_[0]}, {"a"}));
  EXPECT_EQ(out("scan", {path("day?.esdb")}, {"--reverse"}), out("scan", days_, {"--reverse"}));
  EXPECT_EQ(out("keys", {path("day*")}, {"--counts"}), "a\t9\nb\t3\nc\t1\nd\t1\n");
  EXPECT_EQ(out("get", {path("day1*")}, {"a"}), recs({"1a", "1b", "1e"}));  // one match: one file
  ASSERT_EQ(run({"merge", path("m.esdb"), path("day*.esdb")}).code, 0);
  EXPECT_EQ(out("keys", {path("m.esdb")}, {"--counts"}), "a\t9\nb\t3\nc\t1\nd\t1\n");

  // A pattern matching nothing is a usage error naming it.
  for (const char* cmd : {"get", "scan", "keys"}) {
    std::vector<std::string> args{cmd, days_[0], path("nope*.esdb")};
    if (std::string(cmd) == "get") args.push_back("a");
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << cmd;
    EXPECT_EQ(r.out, "") << cmd;
    EXPECT_NE(r.err.find(path("nope*.esdb")), std::string::npos) << cmd << ": " << r.err;
  }
  EXPECT_EQ(run({"merge", path("n.esdb"), path("nope*.esdb")}).code, 2);

  // A file whose name looks like a pattern is read as it is.
  write_file(path("odd[1].esdb"), read_file(days_[0]));
  EXPECT_EQ(out("get", {path("odd[1].esdb")}, {"a"}), recs({"1a", "1b", "1e"}));
}

TEST_F(MultiFileTest, MergeDedupe) {
  // y holds every event of x plus multi2's.
  const std::string x = path("x.esdb"), y = path("y.esdb");
  ASSERT_EQ(run({"build", x, fixture("multi1.jsonl"), "--key", "c", "--time", "t", "--group", "g", "--index", "type"}).code, 0);
  ASSERT_EQ(run({"build", y, fixture("multi1.jsonl"), fixture("multi2.jsonl"), "--key", "c", "--time", "t", "--group",
                 "g", "--index", "type"})
                .code,
            0);
  const Result all = run({"merge", path("all.esdb"), x, y});
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_EQ(out("keys", {path("all.esdb")}, {"--counts"}), "a\t10\nb\t3\nc\t1\nd\t2\n");
  EXPECT_EQ(out("get", {path("all.esdb")}, {"a", "--group", "app"}), recs({"1b", "1b", "2b", "2f"}));

  const Result dd = run({"merge", "--dedupe", path("dd.esdb"), x, y});
  ASSERT_EQ(dd.code, 0) << dd.err;
  EXPECT_EQ(out("keys", {path("dd.esdb")}, {"--counts"}), "a\t7\nb\t2\nc\t1\nd\t1\n");
  // Same time and group but other data (1c, 2d) are both kept; index entries survive.
  EXPECT_EQ(out("dump", {path("dd.esdb")}, {}), out("dump", {y}, {}));
  EXPECT_EQ(out("get", {path("dd.esdb")}, {"a", "--index", "type=buy"}), recs({"2a", "1b"}));
  EXPECT_EQ(out("verify", {path("dd.esdb")}, {}), "ok\n");
}

TEST_F(CliTest, MemorySizes) {
  const std::string want = run({"dump", build_events()}).out;
  ASSERT_FALSE(want.empty());
  int n = 0;
  // The limits (1K..1T) tell the units apart: 1024G and 1048576 (MiB) are 1T.
  for (const char* size : {"512K", "1M", "64k", "256", "1g", "1024G", "1T", "1048576", "1073741824K", "1K"}) {
    const std::string out = path("ok" + std::to_string(n++) + ".esdb");
    const Result r = run({"build", out, fixture("events.jsonl"), "--key", "customer", "--time", "ts", "--group",
                          "channel", "--index", "type", "--index", "tags", "--memory", size});
    EXPECT_EQ(r.code, 0) << size << ": " << r.err;
    EXPECT_EQ(run({"dump", out}).out, want) << size;
  }
  for (const char* size : {"0", "0K", "abc", "12X", "1.5G", "1M5", "", "512B", "2T", "1025G", "1048577",
                           "1073741825K", "99999999999999999999"}) {
    const std::string out = path("bad.esdb");
    const Result r = run({"build", out, fixture("events.jsonl"), "--key", "customer", "--time", "ts", "--memory", size});
    EXPECT_EQ(r.code, 2) << size;
    EXPECT_NE(r.err.find("--memory"), std::string::npos) << size << ": " << r.err;
    struct stat st;
    EXPECT_NE(stat(out.c_str(), &st), 0) << size;  // nothing written
  }
  const std::string a = path("ok0.esdb");
  EXPECT_EQ(run({"merge", path("m1.esdb"), a, "--memory", "512K"}).code, 0);
  EXPECT_EQ(run({"dump", path("m1.esdb")}).out, want);
  EXPECT_EQ(run({"merge", path("m2.esdb"), a, "--memory", "1M"}).code, 0);
  EXPECT_EQ(run({"merge", path("m3.esdb"), a, "--memory", "1Q"}).code, 2);
}

// ---- usage ----

TEST_F(CliTest, UsageErrorsExit2) {
  const std::string f = build_events();
  EXPECT_EQ(run({"build", path("x.esdb"), fixture("events.jsonl"), "--key", "customer"}).code, 2);
  EXPECT_EQ(run({"get", f}).code, 2);
  EXPECT_EQ(run({"get", f, "c-1", "--bogus"}).code, 2);
  EXPECT_EQ(run({"get", f, "c-1", "--index", "type"}).code, 2);
  EXPECT_EQ(run({"get", f, "c-1", "--from", "yesterday"}).code, 2);
  EXPECT_EQ(run({"get", f, "c-1", "--format", "xml"}).code, 2);
  EXPECT_EQ(run({}).code, 2);
  const Result missing = run({"get", path("nope.esdb"), "c-1"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find(path("nope.esdb")), std::string::npos) << missing.err;
  // Not an esdb file at all.
  EXPECT_EQ(run({"get", fixture("events.jsonl"), "c-1"}).code, 2);
  EXPECT_EQ(run({"verify", fixture("events.jsonl")}).code, 2);
}

TEST_F(CliTest, VerifyExits2ForAFileItCannotOpen) {
  const std::string golden = std::string(ESDB_TEST_DATA_DIR) + "/golden/v1_example.esdb";
  const std::string bytes = read_file(golden);
  const size_t footer = bytes.size() - 128;
  auto reseal = [&](std::string b) {
    const uint32_t c = esdb::format::checksum(b.data() + footer, 116, footer);
    std::memcpy(b.data() + footer + 116, &c, 4);
    return b;
  };
  std::string newer = bytes, flagged = bytes, damaged = bytes;
  newer[footer + 112] = 9;                // format version 9: unsupported
  flagged[footer + 88 + 3] = 0x40;        // an unknown required flag: unsupported
  damaged[footer + 116] ^= 1;             // footer checksum mismatch: corrupt
  const std::pair<std::string, std::string> cases[] = {
      {"newer.esdb", reseal(newer)}, {"flagged.esdb", reseal(flagged)}, {"damaged.esdb", damaged}};
  for (const auto& [name, b] : cases) {
    write_file(path(name), b);
    for (const char* cmd : {"verify", "get"}) {
      std::vector<std::string> args = {cmd, path(name)};
      if (std::string(cmd) == "get") args.push_back("alice");
      const Result r = run(args);
      EXPECT_EQ(r.code, 2) << cmd << " " << name;
      EXPECT_EQ(r.out, "") << cmd << " " << name;
      EXPECT_NE(r.err.find(path(name)), std::string::npos) << r.err;
    }
  }
  EXPECT_EQ(run({"verify", golden}).code, 0);
}

TEST_F(CliTest, DumpRoundTripsDataThatLooksLikeJsonUpToANul) {
  // simdjson ends a number at NUL: these must not be written as raw JSON.
  const std::vector<std::string> datas = {std::string("-9\0" "23", 5), std::string("12\0", 3),
                                          std::string("\0", 1), std::string("{}\0", 3),
                                          std::string("\"x\"\0", 4), "17"};
  {
    esdb::Writer w = esdb::Writer::create(path("nul.esdb"));
    int64_t t = 0;
    for (const std::string& d : datas) w.add({.key = "a", .timestamp = t++, .data = d});
    w.finish();
  }
  const Result dump = run({"dump", path("nul.esdb")});
  ASSERT_EQ(dump.code, 0) << dump.err;
  size_t n = 0;
  for (size_t at = 0; at < dump.out.size(); n++) {
    const size_t end = dump.out.find('\n', at);
    ASSERT_NE(end, std::string::npos);
    EXPECT_TRUE(nlohmann::json::accept(dump.out.substr(at, end - at))) << dump.out.substr(at, end - at);
    at = end + 1;
  }
  EXPECT_EQ(n, datas.size());
  write_file(path("nul.dump"), dump.out);
  const Result build = run({"build", path("copy.esdb"), path("nul.dump"), "--from-dump"});
  ASSERT_EQ(build.code, 0) << build.err;
  EXPECT_EQ(run({"dump", path("copy.esdb")}).out, dump.out);
  const esdb::Reader copy = esdb::Reader::open(path("copy.esdb"));
  size_t i = 0;
  for (const esdb::Event& e : copy.find("a")->scan()) EXPECT_EQ(e.data, datas.at(i++));
  EXPECT_EQ(i, datas.size());
  // A dump line with a raw NUL after a number is not JSON: refused, not read as the number.
  write_file(path("raw.dump"), std::string("{\"key\":\"a\",\"time\":1,\"data\":-9\0" "23}\n", 34));
  const Result raw = run({"build", path("raw.esdb"), path("raw.dump"), "--from-dump"});
  EXPECT_EQ(raw.code, 2);
  EXPECT_NE(raw.err.find(path("raw.dump") + ":1: invalid JSON"), std::string::npos) << raw.err;
}

TEST_F(CliTest, VersionAndHelp) {
  const Result v = run({"--version"});
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out, "esdb 1.0.0, format 1\n");
  const Result help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* cmd : {"build", "get", "scan", "keys", "info", "verify", "dump", "merge"}) {
    EXPECT_NE(help.out.find(std::string("  ") + cmd + " "), std::string::npos) << cmd;
    const Result sub = run({cmd, "--help"});
    EXPECT_EQ(sub.code, 0) << cmd;
    EXPECT_NE(sub.out.find("Example"), std::string::npos) << cmd;
  }
  EXPECT_NE(run({"dump", "--help"}).out.find("data_b64"), std::string::npos);
  EXPECT_NE(run({"get", "--help"}).out.find("FILE... KEY"), std::string::npos);
  EXPECT_NE(run({"merge", "--help"}).out.find("--dedupe"), std::string::npos);
  EXPECT_NE(run({"build", "--help"}).out.find("512K"), std::string::npos);
}

// ---- --compression ----

TEST_F(CliTest, CompressionFlagWritesZstdThatReadsTheSame) {
  const std::string plain = build_events();
  const std::string want = run({"dump", plain}).out;
  const std::string z = path("z.esdb");
  Result r = run({"build", z, fixture("events.jsonl"), "--key", "customer", "--time", "ts", "--group", "channel",
                  "--index", "type", "--index", "tags", "--compression", "zstd:5"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(run({"dump", z}).out, want);
  EXPECT_EQ(run({"get", z, "c-1", "--index", "type=purchase", "--reverse"}).out,
            run({"get", plain, "c-1", "--index", "type=purchase", "--reverse"}).out);
  // The index blocks are large enough for zstd: the file announces it.
  EXPECT_EQ(required_flags(read_file(z)), esdb::format::kFlagCompactBlocks);
  EXPECT_EQ(run({"verify", z}).code, 0);

  // merge recompresses: zstd back to Snappy gives the plain build's bytes.
  r = run({"merge", path("back.esdb"), z, "--compression", "snappy"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_file(path("back.esdb")), read_file(plain));
  EXPECT_EQ(run({"merge", path("none.esdb"), z, "--compression", "none"}).code, 0);
  EXPECT_EQ(run({"dump", path("none.esdb")}).out, want);

  for (const char* bad : {"lz4", "zstd:", "zstd:99", "zstd:x"}) {
    r = run({"merge", path("bad.esdb"), z, "--compression", bad});
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_NE(r.err.find("--compression"), std::string::npos) << r.err;
  }
}

// Many small keys of similar events: where a per-file dictionary pays.
TEST_F(CliTest, ZstdDictionaryFlagSizesOrTurnsOffTheDictionary) {
  std::string lines;
  for (int i = 0; i < 20000; i++) {
    lines += "{\"customer\":\"customer-" + std::to_string(i % 4000) + "\",\"ts\":" + std::to_string(1000 + i) +
             ",\"type\":\"" + (i % 7 ? "page_view" : "purchase") + "\",\"page\":\"/products/item-" +
             std::to_string(i * 7919 % 1000) + "?ref=newsletter&utm_source=email\"}\n";
  }
  write_file(path("many.jsonl"), lines);
  auto build = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"build", path(out), path("many.jsonl"), "--key", "customer", "--time", "ts",
                                     "--index", "type", "--compression", "zstd"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = run(args);
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(run({"info", path(out), "--json"}).out)["zstd_dictionary_bytes"].get<uint64_t>();
  };
  const uint64_t trained = build("dict.esdb", {"--zstd-dictionary", "4K"});
  EXPECT_GT(trained, 0u);
  EXPECT_LE(trained, 4096u);
  EXPECT_EQ(build("nodict.esdb", {"--zstd-dictionary", "0"}), 0u);
  EXPECT_EQ(run({"dump", path("dict.esdb")}).out, run({"dump", path("nodict.esdb")}).out);
  EXPECT_LT(read_file(path("dict.esdb")).size(), read_file(path("nodict.esdb")).size());

  // merge takes the flag too: recompressing without a dictionary.
  ASSERT_EQ(run({"merge", path("merged.esdb"), path("dict.esdb"), "--compression", "zstd", "--zstd-dictionary", "0"}).code, 0);
  EXPECT_EQ(read_file(path("merged.esdb")), read_file(path("nodict.esdb")));

  for (const char* bad : {"100", "2M", "x", "-1"}) {
    Result r = run({"build", path("bad.esdb"), path("many.jsonl"), "--key", "customer", "--time", "ts",
                    "--compression", "zstd", "--zstd-dictionary", bad});
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_NE(r.err.find("--zstd-dictionary"), std::string::npos) << bad << ": " << r.err;
    EXPECT_NE(::access(path("bad.esdb").c_str(), F_OK), 0) << bad;
  }
}

// The size of a file, from the file system rather than from the tool.
uint64_t file_size(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// --cover NAME gives the sparse entries of NAME a covering copy of their
// events: the file says so (required flag bit 2), verifies, and an index scan
// reads the same events as from an uncovered file. --cover-max-share reaches
// the writer (a share under purchase's 1/17 copies nothing) and is checked
// before any file is created.
TEST_F(CliTest, CoverFlagCoversSparseIndexEntries) {
  std::string lines;
  for (int i = 0; i < 2400; i++) {
    lines += "{\"customer\":\"c-" + std::to_string(i % 40) + "\",\"ts\":" + std::to_string(1000 + i) +
             ",\"type\":\"" + (i % 17 ? "view" : "purchase") + "\"}\n";
  }
  write_file(path("events.jsonl"), lines);
  auto build = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"build", path(out), path("events.jsonl"), "--key", "customer", "--time", "ts",
                                     "--index", "type", "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  };
  ASSERT_EQ(build("plain.esdb", {}).code, 0);
  const Result r = build("cover.esdb", {"--cover", "type"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(build("narrow.esdb", {"--cover", "type", "--cover-max-share", "0.01"}).code, 0);
  EXPECT_EQ(required_flags(read_file(path("plain.esdb"))), 0u);
  EXPECT_EQ(required_flags(read_file(path("cover.esdb"))), esdb::format::kFlagCoveredEntries);
  EXPECT_EQ(required_flags(read_file(path("narrow.esdb"))), esdb::format::kFlagCoveredEntries);
  EXPECT_GT(file_size(path("cover.esdb")), file_size(path("narrow.esdb")) + 1000);  // the copies
  EXPECT_EQ(run({"verify", path("cover.esdb")}).code, 0);
  EXPECT_EQ(nlohmann::json::parse(run({"info", path("cover.esdb"), "--json"}).out)["covered_entries"], true);
  EXPECT_EQ(nlohmann::json::parse(run({"info", path("plain.esdb"), "--json"}).out)["covered_entries"], false);
  EXPECT_NE(run({"info", path("cover.esdb")}).out.find("covered entries:"), std::string::npos);

  // The newest purchases, of one key and of every key, from the copies.
  auto purchases = [&](const std::string& file, std::vector<std::string> what) {
    std::vector<std::string> args = {what[0], path(file)};
    args.insert(args.end(), what.begin() + 1, what.end());
    args.insert(args.end(), {"--index", "type=purchase", "--reverse"});
    return run(args).out;
  };
  for (const std::vector<std::string>& what : {std::vector<std::string>{"get", "c-0"}, {"get", "c-7"}, {"scan"}}) {
    const std::string want = purchases("plain.esdb", what);
    EXPECT_NE(want.find("purchase"), std::string::npos) << what[0];
    EXPECT_EQ(purchases("cover.esdb", what), want) << what[0];
  }

  // merge takes the flags too, and covers only as they ask.
  ASSERT_EQ(run({"merge", "-q", path("merged.esdb"), path("cover.esdb"), "--cover", "type"}).code, 0);
  ASSERT_EQ(run({"merge", "-q", path("uncovered.esdb"), path("cover.esdb")}).code, 0);
  EXPECT_EQ(read_file(path("uncovered.esdb")), read_file(path("plain.esdb")));
  EXPECT_EQ(required_flags(read_file(path("merged.esdb"))), esdb::format::kFlagCoveredEntries);
  EXPECT_EQ(file_size(path("merged.esdb")), file_size(path("cover.esdb")));
  EXPECT_EQ(purchases("merged.esdb", {"scan"}), purchases("plain.esdb", {"scan"}));

  for (const char* bad : {"0", "1.5", "-0.1", "x"}) {
    for (const char* command : {"build", "merge"}) {
      const Result b = std::string(command) == "build"
                           ? build("bad.esdb", {"--cover", "type", "--cover-max-share", bad})
                           : run({"merge", path("bad.esdb"), path("plain.esdb"), "--cover-max-share", bad});
      EXPECT_EQ(b.code, 2) << command << " " << bad;
      EXPECT_NE(b.err.find("--cover-max-share"), std::string::npos) << command << " " << bad << ": " << b.err;
      EXPECT_NE(::access(path("bad.esdb").c_str(), F_OK), 0) << command << " " << bad;
    }
  }
}

// ---- summaries, merge --memory, completion ----

TEST_F(CliTest, BuildAndMergeSummarizeUnlessQuiet) {
  // events.jsonl: 8 records (line 6 is blank) of c-1, c-2 and c-3.
  const std::string one = path("one.esdb"), two = path("two.esdb"), merged = path("merged.esdb");
  const Result b = run({"build", one, fixture("events.jsonl"), "--key", "customer", "--time", "ts"});
  ASSERT_EQ(b.code, 0) << b.err;
  const std::regex seconds(" in [0-9]+\\.[0-9]{2} s\n$");
  EXPECT_EQ(b.err.substr(0, b.err.find(" in ")),
            "esdb: wrote " + one + ": 8 events, 3 keys, " + std::to_string(file_size(one)) + " bytes");
  EXPECT_TRUE(std::regex_search(b.err, seconds)) << b.err;
  const Result q = run({"build", two, fixture("events.jsonl"), "--key", "customer", "--time", "ts", "-q"});
  ASSERT_EQ(q.code, 0);
  EXPECT_EQ(q.err, "");

  const Result m = run({"merge", merged, one, two});
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_EQ(m.err.substr(0, m.err.find(" in ")),
            "esdb: wrote " + merged + ": 16 events, 3 keys, " + std::to_string(file_size(merged)) + " bytes");
  EXPECT_TRUE(std::regex_search(m.err, seconds)) << m.err;
  EXPECT_EQ(m.out, "");
  const Result mq = run({"merge", "--quiet", path("merged2.esdb"), one, two});
  ASSERT_EQ(mq.code, 0);
  EXPECT_EQ(mq.err, "");
  EXPECT_EQ(run({"dump", path("merged2.esdb")}).out, run({"dump", merged}).out);
}

TEST_F(CliTest, MergeMemoryBoundsDedupe) {
  // 40 distinct events of one key at one time, 200 bytes of data each.
  std::string jsonl;
  for (int i = 0; i < 40; i++) {
    jsonl += "{\"k\":\"a\",\"t\":5,\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(160, 'p') + "\"}\n";
  }
  write_file(path("in.jsonl"), jsonl);
  const std::string f = path("f.esdb");
  ASSERT_EQ(run({"build", f, path("in.jsonl"), "--key", "k", "--time", "t", "-q"}).code, 0);
  const Result small = run({"merge", "--dedupe", "--memory", "4K", path("small.esdb"), f, f});
  EXPECT_EQ(small.code, 2);
  EXPECT_NE(small.err.find("memory budget"), std::string::npos) << small.err;
  EXPECT_EQ(file_size(path("small.esdb")), 0u);  // nothing written
  EXPECT_EQ(run({"merge", "--memory", "4K", "-q", path("plain.esdb"), f, f}).code, 0);
  ASSERT_EQ(run({"merge", "--dedupe", "--memory", "1M", "-q", path("enough.esdb"), f, f}).code, 0);
  EXPECT_EQ(run({"dump", path("enough.esdb")}).out, run({"dump", f}).out);
}

TEST_F(CliTest, CompletionCoversEveryCommandAndFlag) {
  const Result help = run({"--help"});
  const Result c = run({"completion", "bash"});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.out.find("complete -o bashdefault -o default -F _esdb esdb"), std::string::npos);
  // Every subcommand the help lists is offered first, and has its flags.
  std::string cmds = help.out.substr(help.out.find("ubcommands:"));
  cmds = cmds.substr(0, cmds.find("\n\n") + 1);  // the list ends at a blank line
  const size_t first = c.out.find("'') words='") + 11;
  const std::string offered = " " + c.out.substr(first, c.out.find('\'', first) - first) + " ";
  const std::regex listed("\n  ([a-z]+) ");
  int n = 0;
  for (std::sregex_iterator it(cmds.begin(), cmds.end(), listed), end; it != end; ++it, ++n) {
    const std::string name = (*it)[1];
    EXPECT_NE(offered.find(" " + name + " "), std::string::npos) << name << " not in" << offered;
    EXPECT_NE(c.out.find("    " + name + ") words='-h --help"), std::string::npos) << name;
  }
  EXPECT_GE(n, 9);
  EXPECT_NE(c.out.find("merge) words='-h --help --dedupe --force --compression --zstd-dictionary --cover "
                       "--cover-max-share -q --quiet --memory'"),
            std::string::npos);
  EXPECT_NE(c.out.find("--time-unit"), std::string::npos);
  EXPECT_EQ(run({"completion", "zsh"}).code, 2);
}

// Inputs of several MiB (parsed in bulk, a block at a time, on a second
// thread unless --threads 1): every thread setting writes the bytes the
// library writes from the same events, added by this test in input order.
TEST_F(CliTest, BuildBytesDoNotDependOnThreads) {
  std::string a, b;
  esdb::Writer w = esdb::Writer::create(path("expected.esdb"), {.memory_budget = 1u << 20});
  for (int i = 0; i < 60000; ++i) {
    const std::string key = "c-" + std::to_string(i % 229);
    const bool escaped = i % 1000 == 7;  // "\u0041" is "A"
    const std::string type = i % 3 ? "view" : "purchase";
    const std::string line = "{\"customer\":\"" + key + (escaped ? "\\u0041" : "") + "\",\"ts\":" +
                             std::to_string(1400000000 + i / 7) + ",\"type\":\"" + type + "\",\"pad\":\"" +
                             std::string(i % 40, 'p') + "\"}";
    (i < 35000 ? a : b) += line + (i % 4999 == 0 ? "\r\n\n" : "\n");
    w.add({.key = escaped ? key + "A" : key, .timestamp = 1400000000 + i / 7, .data = line,
           .indexes = {{"type", type}}});
  }
  w.finish();
  write_file(path("a.jsonl"), a);
  write_file(path("b.jsonl"), b);
  const std::string expected = read_file(path("expected.esdb"));
  for (const char* threads : {"1", "2", "0", "3"}) {
    const std::string out = path(std::string("t") + threads + ".esdb");
    const Result r = run({"build", out, path("a.jsonl"), path("b.jsonl"), "--key", "customer", "--time", "ts",
                          "--index", "type", "--memory", "1M", "--threads", threads, "-q"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(read_file(out) == expected) << "--threads " << threads;
  }
  const Result piped = run({"build", path("stdin.esdb"), "-", path("b.jsonl"), "--key", "customer", "--time",
                            "ts", "--index", "type", "--memory", "1M", "-q"},
                           path("a.jsonl"));
  ASSERT_EQ(piped.code, 0) << piped.err;
  EXPECT_TRUE(read_file(path("stdin.esdb")) == expected);
}

// A bad line deep in a large input is named by its line, whichever block
// and thread parsed it; with --skip-bad the rest still goes in.
TEST_F(CliTest, BuildNamesBadLineInLargeInput) {
  std::string text;
  const int bad_line = 41234;
  for (int i = 1; i <= 50000; ++i) {
    text += i == bad_line ? std::string("{\"customer\":\"x\",\"ts\":1,}\n")
                          : "{\"customer\":\"c-" + std::to_string(i % 97) + "\",\"ts\":" + std::to_string(i) + "}\n";
  }
  write_file(path("big.jsonl"), text);
  for (const char* threads : {"1", "2"}) {
    const Result r = run({"build", path("x.esdb"), path("big.jsonl"), "--key", "customer", "--time", "ts",
                          "--threads", threads, "-q"});
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err.rfind("esdb: " + path("big.jsonl") + ":" + std::to_string(bad_line) + ": invalid JSON", 0), 0u)
        << r.err;
    EXPECT_EQ(list_dir(dir_.dir()), std::vector<std::string>{"big.jsonl"});  // no output, no temporaries
  }
  const Result skipped = run({"build", path("x.esdb"), path("big.jsonl"), "--key", "customer", "--time", "ts",
                              "--skip-bad", "-q"});
  EXPECT_EQ(skipped.code, 0) << skipped.err;
  EXPECT_NE(skipped.err.find("skipped 1 bad record, wrote 49999 events"), std::string::npos) << skipped.err;
}

// An input that fails at once (here a header without the key column) fails
// the build every time: the other parsing thread, finding the reading over,
// must not report it as the clean end of the input first. Repeated because
// the race it guards against was timing-dependent.
TEST_F(CliTest, BuildReadErrorIsNeverTheEnd) {
  write_file(path("h.csv"), "customer,ts\nc-1,1\n");
  for (int i = 0; i < 20; ++i) {
    const Result r = run({"build", path("x.esdb"), path("h.csv"), "--csv", "--key", "nope", "--time", "ts", "-q"});
    ASSERT_EQ(r.code, 2) << "run " << i << ": " << r.err;
    EXPECT_NE(r.err.find(":1: no column \"nope\" in the header"), std::string::npos) << r.err;
  }
}

// Two parsing threads parse blocks at once and may finish a later block
// first: the earliest bad line is still the one named, and a missing second
// input is reported only after the first one went in whole.
TEST_F(CliTest, BuildFirstBadLineWinsAcrossParsers) {
  std::string text;
  for (int i = 1; i <= 50000; ++i) {
    text += i == 12000 || i == 41234 ? std::string("{\"customer\":\"x\",\"ts\":1,}\n")
                                     : "{\"customer\":\"c-" + std::to_string(i % 97) + "\",\"ts\":" + std::to_string(i) + "}\n";
  }
  write_file(path("big.jsonl"), text);
  for (const char* threads : {"1", "2", "0"}) {
    const Result r = run({"build", path("x.esdb"), path("big.jsonl"), "--key", "customer", "--time", "ts",
                          "--threads", threads, "-q"});
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err.rfind("esdb: " + path("big.jsonl") + ":12000: invalid JSON", 0), 0u) << threads << r.err;
  }
  const Result skipped = run({"build", path("x.esdb"), path("big.jsonl"), "--key", "customer", "--time", "ts",
                              "--skip-bad", "-q"});
  EXPECT_EQ(skipped.code, 0) << skipped.err;
  EXPECT_NE(skipped.err.find("skipped 2 bad records, wrote 49998 events"), std::string::npos) << skipped.err;
  const Result missing = run({"build", path("y.esdb"), path("big.jsonl"), path("none.jsonl"), "--key", "customer",
                              "--time", "ts", "--skip-bad", "-q"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("none.jsonl"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("big.jsonl:41234:"), std::string::npos) << "the first input went in whole: " << missing.err;
}

}  // namespace
