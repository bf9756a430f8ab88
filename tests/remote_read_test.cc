// Reading esdb files over HTTP: the request plan (cold lookup <= 3 GETs, warm
// <= 2, miss <= 1, a small file in 1) counted in nginx's own access log, the
// same events as the local file, and every answer checked before its bytes
// are used (a fake server here, real faults in remote_fault_test.cc).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include "lib/remote_source.h"
#include "remote/servers.h"
#include "remote_fixture.h"
#include "test_util.h"

namespace esdb::test {
namespace {

// A file served from memory with what a range-honouring server answers, plus
// a hook to spoil the n-th answer (from 1).
struct FakeServer {
  std::string bytes;
  std::string etag = "\"v1\"";
  std::atomic<int> requests{0};
  std::function<void(remote::Response&, int)> spoil;

  remote::Response serve(const remote::Request& r) {
    const int n = ++requests;
    remote::Response out;
    uint64_t first = 0, last = bytes.size() - 1;
    bool ranged = false;
    if (r.range) {
      first = r.range->first, last = std::min<uint64_t>(r.range->second, bytes.size() - 1), ranged = true;
    }
    for (const std::string& h : r.headers) {
      if (h.starts_with("Range: bytes=-")) {
        uint64_t n = std::stoull(h.substr(14));
        first = bytes.size() > n ? bytes.size() - n : 0, ranged = true;
      }
      if (h.starts_with("If-Match: ") && h.substr(10) != etag) {
        out.status = 412;
        return out;
      }
    }
    out.status = ranged ? 206 : 200;
    out.headers["etag"] = etag;
    if (ranged) {
      out.headers["content-range"] = "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                     std::to_string(bytes.size());
    }
    out.body = bytes.substr(first, last - first + 1);
    if (spoil) spoil(out, n);
    return out;
  }
};

Reader open_fake(const std::shared_ptr<FakeServer>& server, const ReaderOptions& o = {}) {
  auto f = detail::open_remote_file("http://fake/x.esdb", o,
                                    [server](const remote::Request& r, const remote::RetryPolicy&) { return server->serve(r); });
  return detail::make_reader(std::move(f));
}

class RemoteRead : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    model_ = new Model(remote_model(8000));
    write_model(*model_, dir_->path("big.esdb"));
    Model small;
    for (int i = 0; i < 50; i++) small.add({.key = "s-" + std::to_string(i), .timestamp = i, .data = "event"});
    write_model(small, dir_->path("small.esdb"));
    small_ = new Model(std::move(small));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete model_;
    delete small_;
  }
  static std::vector<Got> expect(const Model& m, const std::string& key) { return to_got(m.expect(key, {}), false); }

  static TempDir* dir_;
  static Model* model_;
  static Model* small_;
};
TempDir* RemoteRead::dir_;
Model* RemoteRead::model_;
Model* RemoteRead::small_;

TEST_F(RemoteRead, FakeServerPlanMeetsTheBudget) {
  auto server = std::make_shared<FakeServer>();
  server->bytes = read_file(dir_->path("big.esdb"));
  ASSERT_GT(server->bytes.size(), 1u << 20);
  Reader r = open_fake(server);
  EXPECT_EQ(server->requests.load(), 1);
  auto key = r.find("big");
  ASSERT_TRUE(key);
  EXPECT_EQ(collect(key->scan()), expect(*model_, "big"));
  EXPECT_LE(server->requests.load(), 3);  // tail, bucket, key dir with its chunks

  int before = server->requests.load();
  EXPECT_EQ(collect(r.find("k-01234")->scan()), expect(*model_, "k-01234"));
  EXPECT_LE(server->requests.load() - before, 2);
  before = server->requests.load();
  EXPECT_FALSE(r.find("no-such-key"));
  EXPECT_LE(server->requests.load() - before, 1);
  EXPECT_EQ(r.transfer_stats().requests, static_cast<uint64_t>(server->requests.load()));
}

TEST_F(RemoteRead, FakeServerSmallFileComesWhole) {
  auto server = std::make_shared<FakeServer>();
  server->bytes = read_file(dir_->path("small.esdb"));
  Reader r = open_fake(server);
  for (const auto& [k, events] : small_->keys()) EXPECT_EQ(collect(r.find(k)->scan()), expect(*small_, k));
  EXPECT_TRUE(r.verify().empty());
  EXPECT_EQ(server->requests.load(), 1);
}

// Each spoiled answer to a lookup's bucket request must fail the lookup with
// an io error naming the URL, never yield events.
void expect_lookup_fails(const std::string& file, const std::function<void(remote::Response&)>& spoil,
                         const std::string& says) {
  auto server = std::make_shared<FakeServer>();
  server->bytes = read_file(file);
  Reader r = open_fake(server);
  server->spoil = [&](remote::Response& resp, int n) {
    if (n == 2) spoil(resp);
  };
  try {
    auto k = r.find("big");
    FAIL() << "no error; found " << (k ? k->event_count() : 0) << " events";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io) << e.what();
    EXPECT_EQ(e.path(), "http://fake/x.esdb");
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
  }
}

TEST_F(RemoteRead, FakeServerSpoiledAnswersAreIoErrors) {
  const std::string file = dir_->path("big.esdb");
  expect_lookup_fails(file, [](remote::Response& r) { r.status = 200; }, "200 where 206 was asked");
  expect_lookup_fails(file, [](remote::Response& r) { r.body.pop_back(); }, "bytes for a range of");
  expect_lookup_fails(file, [](remote::Response& r) { r.body += "x"; }, "bytes for a range of");
  expect_lookup_fails(file, [](remote::Response& r) { r.headers["content-range"] = "bytes 0-63/99"; }, "Content-Range");
  expect_lookup_fails(file, [](remote::Response& r) { r.headers.erase("content-range"); }, "Content-Range");
  expect_lookup_fails(file, [](remote::Response& r) { r.headers["etag"] = "\"v2\""; }, "changed since it was opened");
  expect_lookup_fails(file, [](remote::Response& r) { r.status = 503; }, "HTTP 503");
}

TEST_F(RemoteRead, FakeServerReplacedObjectIsAnIoError) {
  auto server = std::make_shared<FakeServer>();
  server->bytes = read_file(dir_->path("big.esdb"));
  Reader r = open_fake(server);
  server->etag = "\"v2\"";  // If-Match now fails: 412
  try {
    r.find("big");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_NE(std::string(e.what()).find("changed since it was opened"), std::string::npos) << e.what();
  }
}

TEST_F(RemoteRead, CacheStaysWithinItsBoundAndLookupsStayRight) {
  auto server = std::make_shared<FakeServer>();
  server->bytes = read_file(dir_->path("big.esdb"));
  ReaderOptions o;
  o.cache_bytes = 300 << 10;  // one key region at a time
  Reader r = open_fake(server, o);
  auto big = r.find("big");
  auto huge = r.find("huge");  // evicts big's region, which big's Key still holds
  EXPECT_EQ(collect(big->scan()), expect(*model_, "big"));
  EXPECT_EQ(collect(huge->scan({.reverse = true})), to_got(model_->expect("huge", {.reverse = true}), false));
  int before = server->requests.load();
  EXPECT_EQ(collect(r.find("big")->scan()), expect(*model_, "big"));
  EXPECT_GE(server->requests.load() - before, 1);  // its region fetched again: the cache let it go
}

TEST_F(RemoteRead, ManyThreadsShareOneReaderThroughASmallCache) {
  auto server = std::make_shared<FakeServer>();
  server->bytes = read_file(dir_->path("big.esdb"));
  ReaderOptions o;
  o.cache_bytes = 600 << 10;  // regions evicted while other threads' Keys still hold them
  const Reader r = open_fake(server, o);
  std::vector<std::string> names = {"big", "huge", "k-00001", "k-07999", "k-07000", "nope"};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 30; i++) {
        const std::string& k = names[(i + t) % names.size()];
        auto key = r.find(k);
        const bool ok = k == "nope" ? !key : key && collect(key->scan()) == expect(*model_, k);
        if (!ok) wrong++;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

// ---- Against nginx: the budget counted in the server's own access log ----

class RemoteNginx : public RemoteRead {
 protected:
  void SetUp() override {
    if (auto why = NginxServer::missing()) GTEST_SKIP() << *why;
    nginx_ = std::make_unique<NginxServer>(dir_->dir());
  }
  // GETs logged since the last call, each checked to be a 206. nginx logs a
  // request just after answering it; a marker request answered after ours,
  // by its one worker, is logged after them.
  size_t gets() {
    remote::perform({.url = nginx_->url("__marker")});
    std::vector<AccessLogEntry> log;
    for (int i = 0; i < 500; i++) {
      log = nginx_->access_log();
      if (!log.empty() && log.back().uri == "/__marker") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(!log.empty() && log.back().uri == "/__marker");
    if (!log.empty()) log.pop_back();
    nginx_->clear_log();
    for (const AccessLogEntry& e : log) {
      EXPECT_EQ(e.method, "GET");
      EXPECT_EQ(e.status, 206) << e.uri << " " << e.range;
    }
    return log.size();
  }
  std::unique_ptr<NginxServer> nginx_;
};

TEST_F(RemoteNginx, ColdLookupAtMostThreeGetsWarmTwoMissOne) {
  Reader r = Reader::open(nginx_->url("big.esdb"));
  auto key = r.find("big");
  ASSERT_TRUE(key);
  EXPECT_EQ(collect(key->scan()), expect(*model_, "big"));
  const size_t cold = gets();
  EXPECT_GE(cold, 2u);  // the tail, and the key's region at least
  EXPECT_LE(cold, 3u);
  EXPECT_EQ(collect(r.find("k-00042")->scan()), expect(*model_, "k-00042"));
  const size_t warm = gets();
  EXPECT_GE(warm, 1u);
  EXPECT_LE(warm, 2u);
  EXPECT_FALSE(r.find("no-such-key"));
  EXPECT_LE(gets(), 1u);
  // A key whose region passes the 256 KiB read before its dir costs one more.
  EXPECT_EQ(collect(r.find("huge")->scan()), expect(*model_, "huge"));
  EXPECT_LE(gets(), 3u);
}

TEST_F(RemoteNginx, SmallFileIsOneRequest) {
  Reader r = Reader::open(nginx_->url("small.esdb"));
  for (const auto& [k, events] : small_->keys()) EXPECT_EQ(collect(r.find(k)->scan()), expect(*small_, k));
  EXPECT_EQ(gets(), 1u);
}

TEST_F(RemoteNginx, KeysAndVerifyMatchTheLocalFile) {
  const Reader local = Reader::open(dir_->path("big.esdb"));
  const Reader r = Reader::open(nginx_->url("big.esdb"));
  EXPECT_EQ(r.stats().key_count, local.stats().key_count);
  auto a = local.keys().begin();
  size_t n = 0;
  for (const Key& k : r.keys()) {
    ASSERT_EQ(k.name(), a->name());
    EXPECT_EQ(k.event_count(), a->event_count());
    ++a, ++n;
  }
  EXPECT_EQ(n, local.stats().key_count);
  EXPECT_LT(gets(), 20u);  // the dirs come a megabyte at a time, not one request per key
  EXPECT_TRUE(r.verify().empty());
  EXPECT_EQ(collect(r.find("k-00007")->scan({.with_indexes = true})),
            to_got(model_->expect("k-00007", {.with_indexes = true}), true));
}

TEST_F(RemoteNginx, MultiReaderOverUrlsMatchesLocal) {
  std::filesystem::copy_file(dir_->path("big.esdb"), dir_->path("big2.esdb"),
                             std::filesystem::copy_options::overwrite_existing);
  const std::vector<std::string> local = {dir_->path("big.esdb"), dir_->path("small.esdb"), dir_->path("big2.esdb")};
  const std::vector<std::string> urls = {nginx_->url("big.esdb"), nginx_->url("small.esdb"), nginx_->url("big2.esdb")};
  const MultiReader lm = MultiReader::open(local);
  const MultiReader rm = MultiReader::open(urls);
  gets();
  for (std::string k : {"big", "k-00100", "s-3", "none"}) {
    auto want = lm.find(k);
    auto got = rm.find(k);
    ASSERT_EQ(want.has_value(), got.has_value()) << k;
    if (want) {
      EXPECT_EQ(collect(got->scan({.reverse = true})), collect(want->scan({.reverse = true}))) << k;
    }
  }
}

TEST_F(RemoteNginx, ReplacedFileIsAnIoErrorNamingTheUrl) {
  TempDir root;
  std::filesystem::copy_file(dir_->path("big.esdb"), root.path("f.esdb"));
  NginxServer nginx(root.dir());
  const std::string url = nginx.url("f.esdb");
  Reader r = Reader::open(url);
  ASSERT_TRUE(r.find("k-00001"));
  std::filesystem::copy_file(dir_->path("small.esdb"), root.path("f.tmp"));
  std::filesystem::rename(root.path("f.tmp"), root.path("f.esdb"));  // another size: another ETag
  try {
    r.find("big");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_EQ(e.path(), url);
  }
}

TEST_F(RemoteNginx, MissingFileIsAnIoErrorNamingTheUrl) {
  const std::string url = nginx_->url("nope.esdb");
  try {
    Reader::open(url);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_EQ(e.path(), url);
    EXPECT_NE(std::string(e.what()).find("404"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace esdb::test

// A file with a zstd dictionary: the dictionary comes with the tail when it
// lies there (open stays one request), else costs exactly one more GET on
// open; lookups keep their budget and read the same events.
namespace esdb::test {
namespace {

TEST(RemoteDictionary, DictionaryComesWithTheTailOrInOneMoreRequest) {
  TempDir t;
  Model m;
  const char* pages[] = {"/home", "/pricing", "/docs/getting-started", "/blog/2024/launch"};
  for (int i = 0; i < 12000; i++) {
    char name[16];
    std::snprintf(name, sizeof name, "k-%04d", i % 1500);
    m.add({.key = name, .timestamp = i,
           .data = std::string(R"({"event":"page_view","page":")") + pages[i % 4] + R"(","n":)" + std::to_string(i * 7919 % 100003) + "}"});
  }
  write_model(m, t.path("dict.esdb"), {.compression = Compression::zstd});
  auto server = std::make_shared<FakeServer>();
  server->bytes = read_file(t.path("dict.esdb"));
  ASSERT_GT(Reader::open(t.path("dict.esdb")).stats().dictionary_bytes, 0u);
  for (uint64_t tail : {uint64_t{128} << 10, uint64_t{4} << 10}) {
    ASSERT_GT(server->bytes.size(), tail);
    server->requests = 0;
    ReaderOptions o;
    o.tail_bytes = tail;
    Reader r = open_fake(server, o);
    const int open_requests = server->requests.load();
    // 128 KiB holds the dictionary, the key table and the hash table.
    EXPECT_EQ(open_requests, tail > (64u << 10) ? 1 : 2) << tail;
    EXPECT_EQ(r.stats().dictionary_bytes, Reader::open(t.path("dict.esdb")).stats().dictionary_bytes);
    auto key = r.find("k-0042");
    ASSERT_TRUE(key);
    EXPECT_EQ(collect(key->scan()), to_got(m.expect("k-0042", {}), false));
    EXPECT_LE(server->requests.load() - open_requests, 2) << tail;  // bucket, key dir with its chunks
  }
}

}  // namespace
}  // namespace esdb::test

// Covered index entries over HTTP: a cover block lies just before its key
// dir, so a cold covered index scan keeps the lookup's request budget, and
// the copies (whole and in sub-blocks) read as the local file's events.
namespace esdb::test {
namespace {

TEST(RemoteCovered, CoveredIndexScanKeepsTheLookupBudget) {
  TempDir t;
  Model m;
  for (int i = 0; i < 6000; i++) {
    char name[16];
    std::snprintf(name, sizeof name, "k-%03d", i % 300);
    m.add({.key = i < 4000 ? "whale" : name, .timestamp = i, .data = std::string(90, static_cast<char>('a' + i % 26)),
           .indexes = {{"type", i % 20 == 0 ? "buy" : "view"}}});
  }
  write_model(m, t.path("cover.esdb"), {.chunk_size = 4096, .covered_indexes = {"type=buy"}});
  auto server = std::make_shared<FakeServer>();
  server->bytes = read_file(t.path("cover.esdb"));
  Reader r = open_fake(server);
  const ScanOptions buys{.index = IndexEntry{"type", "buy"}, .reverse = true};
  for (const char* key : {"whale", "k-007"}) {
    const int before = server->requests.load();
    auto k = r.find(key);
    ASSERT_TRUE(k) << key;
    EXPECT_EQ(collect(k->scan(buys)), to_got(m.expect(key, buys), false)) << key;
    EXPECT_LE(server->requests.load() - before, 2) << key;  // bucket, key dir with its region
  }
  EXPECT_TRUE(r.stats().covered_entries);
  EXPECT_TRUE(r.verify().empty());
}

}  // namespace
}  // namespace esdb::test
