// Writer to s3:// destinations against s3rver: the object appears only whole
// (single PUT or multipart), an interrupted upload is aborted and leaves
// nothing, and the local temporary file is gone in every case.
#include <gtest/gtest.h>

#include <filesystem>

#include "esdb/error.h"
#include "esdb/esdb.h"
#include "lib/remote/s3_upload.h"
#include "lib/remote/s3_url.h"
#include "remote/servers.h"
#include "test_util.h"

namespace esdb::test {
namespace {

// Events whose data does not compress, so the file is about `bytes` long.
void add_events(Writer& w, size_t bytes) {
  uint64_t x = 88172645463325252ull;
  std::string data;
  for (size_t i = 0; i * 200 < bytes; ++i) {
    data.clear();
    for (int j = 0; j < 25; ++j) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
      data.append(reinterpret_cast<const char*>(&x), 8);
    }
    const std::string key = "c-" + std::to_string(i % 37);
    w.add({.key = key, .timestamp = static_cast<int64_t>(i), .data = data});
  }
}

// The same file built locally: what the object must hold, byte for byte.
std::string local_build(const TempDir& dir, size_t bytes) {
  const std::string path = dir.path("local.esdb");
  WriterOptions o;
  o.overwrite = true;
  Writer w = Writer::create(path, o);
  add_events(w, bytes);
  w.finish();
  return read_file(path);
}

class S3Write : public ::testing::Test {
 protected:
  void start(int fail_part = 0) {
    s3_ = std::make_unique<S3Server>(std::vector<std::string>{"bucket"}, fail_part);
    s3_->export_environment();
    config_ = s3_->config();
    setenv("TMPDIR", tmp_.dir().c_str(), 1);
  }
  void SetUp() override {
    if (auto why = S3Server::missing()) GTEST_SKIP() << *why;
  }
  void TearDown() override { unsetenv("TMPDIR"); }

  std::string download(const std::string& key) {
    const remote::Response r = remote::perform({.url = remote::s3_http_url(config_, {"bucket", key}), .sign = &config_});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }
  bool tmp_is_empty() const { return std::filesystem::is_empty(tmp_.dir()); }

  std::unique_ptr<S3Server> s3_;
  remote::S3Config config_;
  TempDir tmp_;    // $TMPDIR while the test runs: the writer's local temporary goes here
  TempDir local_;  // the reference build
};

TEST_F(S3Write, SmallFileIsOnePutOfTheWholeFile) {
  start();
  const uint64_t before = remote::requests_sent();
  Writer w = Writer::create("s3://bucket/days/day-1.esdb");
  add_events(w, 20000);
  const FileStats stats = w.finish();
  EXPECT_EQ(remote::requests_sent() - before, 3u);  // HEAD at create, HEAD before upload, PUT
  const std::string expected = local_build(local_, 20000);
  EXPECT_EQ(stats.file_size, expected.size());
  EXPECT_EQ(download("days/day-1.esdb"), expected);
  EXPECT_TRUE(tmp_is_empty());
  EXPECT_TRUE(s3_->uploads_in_progress("bucket").empty());
}

TEST_F(S3Write, LargeFileIsAMultipartUpload) {
  start();
  WriterOptions o;
  o.s3_part_size = 64 * 1024;
  const uint64_t before = remote::requests_sent();
  Writer w = Writer::create("s3://bucket/big.esdb", o);
  add_events(w, 300000);
  const FileStats stats = w.finish();
  const uint64_t parts = (stats.file_size + o.s3_part_size - 1) / o.s3_part_size;
  ASSERT_GE(parts, 4u);
  // HEAD, HEAD, Create, the parts, Complete.
  EXPECT_EQ(remote::requests_sent() - before, 4 + parts);
  EXPECT_EQ(download("big.esdb"), local_build(local_, 300000));
  EXPECT_TRUE(s3_->uploads_in_progress("bucket").empty());
  EXPECT_TRUE(tmp_is_empty());
}

TEST_F(S3Write, ExistingObjectIsRefusedUnlessOverwrite) {
  start();
  {
    Writer w = Writer::create("s3://bucket/a.esdb");
    add_events(w, 1000);
    w.finish();
  }
  try {
    Writer::create("s3://bucket/a.esdb");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::exists);
    EXPECT_EQ(e.path(), "s3://bucket/a.esdb");
  }
  WriterOptions o;
  o.overwrite = true;
  Writer w = Writer::create("s3://bucket/a.esdb", o);
  add_events(w, 5000);
  w.finish();
  EXPECT_EQ(download("a.esdb"), local_build(local_, 5000));
  EXPECT_TRUE(tmp_is_empty());
}

TEST_F(S3Write, PartFailingMidUploadIsAbortedAndLeavesNothing) {
  start(/*fail_part=*/3);
  WriterOptions o;
  o.s3_part_size = 64 * 1024;
  Writer w = Writer::create("s3://bucket/broken.esdb", o);
  add_events(w, 400000);
  try {
    w.finish();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_EQ(e.path(), "s3://bucket/broken.esdb");
    EXPECT_NE(e.detail().find("part 3"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(s3_->objects("bucket").empty());
  EXPECT_TRUE(s3_->uploads_in_progress("bucket").empty());
  EXPECT_TRUE(tmp_is_empty());
}

TEST_F(S3Write, FailureBetweenPartsIsAbortedAndLeavesNothing) {
  start();
  const std::string file = local_.path("f.esdb");
  write_file(file, std::string(10000, 'x'));
  remote::UploadOptions o{.part_size = 1000, .before_part = [&](int part) {
                            if (part == 4) {
                              // Parts 1-3 are on the server now, under an upload in progress.
                              EXPECT_EQ(s3_->uploads_in_progress("bucket"), std::vector<std::string>{"f.esdb"});
                              throw Error(Errc::io, "", Error::kNoOffset, "interrupted");
                            }
                          }};
  EXPECT_THROW(remote::upload_file(config_, "s3://bucket/f.esdb", file, o), Error);
  EXPECT_TRUE(s3_->objects("bucket").empty());
  EXPECT_TRUE(s3_->uploads_in_progress("bucket").empty());
}

TEST_F(S3Write, WrongCredentialsAreAnIoErrorNamingTheUrl) {
  start();
  setenv("AWS_SECRET_ACCESS_KEY", "wrong", 1);
  try {
    Writer::create("s3://bucket/a.esdb");  // the existence check is refused
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_EQ(e.path(), "s3://bucket/a.esdb");
    EXPECT_NE(e.detail().find("403"), std::string::npos) << e.what();
  }
  WriterOptions o;
  o.overwrite = true;  // no HEAD: the upload itself is refused
  Writer w = Writer::create("s3://bucket/a.esdb", o);
  add_events(w, 1000);
  try {
    w.finish();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_EQ(e.path(), "s3://bucket/a.esdb");
    EXPECT_NE(e.detail().find("SignatureDoesNotMatch"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(tmp_is_empty());
  s3_->export_environment();
  EXPECT_TRUE(s3_->objects("bucket").empty());
}

TEST_F(S3Write, AbandonedWriterLeavesNothing) {
  start();
  {
    Writer w = Writer::create("s3://bucket/a.esdb");
    add_events(w, 1000);
  }
  EXPECT_TRUE(tmp_is_empty());
  EXPECT_TRUE(s3_->objects("bucket").empty());
}

TEST(S3WriteArgs, HttpDestinationsAndBadUrlsAreRefused) {
  for (const char* url : {"http://127.0.0.1/a.esdb", "https://example.com/a.esdb", "s3://B/a.esdb"}) {
    try {
      Writer::create(url);
      ADD_FAILURE() << url << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::invalid_argument) << e.what();
      EXPECT_EQ(e.path(), url);
    }
  }
}

}  // namespace
}  // namespace esdb::test
