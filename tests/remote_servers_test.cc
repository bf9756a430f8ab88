// The HTTP client against the real servers of tests/remote/: ranged GETs and
// retries counted in nginx's own access log, and signed S3 requests against
// s3rver, which refuses unsigned requests and wrong credentials.
#include <gtest/gtest.h>

#include <fstream>

#include "esdb/error.h"
#include "lib/remote/http.h"
#include "lib/remote/s3_url.h"
#include "remote/servers.h"
#include "test_util.h"

namespace esdb::test {
namespace {

using remote::perform;
using remote::Request;
using remote::Response;
using remote::RetryPolicy;

RetryPolicy quick(int attempts) {
  RetryPolicy p;
  p.attempts = attempts;
  p.first_backoff = std::chrono::milliseconds(1);
  return p;
}

TEST(NginxHarness, RangedGetIsLoggedWithItsRangeAndBytes) {
  if (auto why = NginxServer::missing()) GTEST_SKIP() << *why;
  TempDir root;
  std::ofstream(root.path("a.bin")) << "0123456789abcdef";
  NginxServer nginx(root.dir());

  const uint64_t before = remote::requests_sent();
  Request req{.url = nginx.url("a.bin"), .range = std::pair<uint64_t, uint64_t>{2, 5}};
  Response r = perform(req);
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "2345");
  EXPECT_EQ(r.headers["content-range"], "bytes 2-5/16");
  EXPECT_FALSE(r.headers["etag"].empty());

  r = perform({.method = "HEAD", .url = nginx.url("a.bin")});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-length"], "16");
  EXPECT_TRUE(r.body.empty());

  r = perform({.url = nginx.url("missing.bin")});
  EXPECT_EQ(r.status, 404);  // not retried: a 4xx is the caller's to judge

  const std::vector<AccessLogEntry> log = nginx.access_log(3);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(remote::requests_sent() - before, 3u);
  EXPECT_EQ(log[0].method, "GET");
  EXPECT_EQ(log[0].uri, "/a.bin");
  EXPECT_EQ(log[0].status, 206);
  EXPECT_EQ(log[0].range, "bytes=2-5");
  EXPECT_EQ(log[0].bytes_sent, 4u);
  EXPECT_EQ(log[1].method, "HEAD");
  EXPECT_EQ(log[1].range, "");
  EXPECT_EQ(log[2].status, 404);

  nginx.clear_log();
  perform({.url = nginx.url("a.bin")});
  ASSERT_EQ(nginx.access_log(1).size(), 1u);
  EXPECT_EQ(nginx.access_log()[0].bytes_sent, 16u);
}

TEST(NginxHarness, FiveHundredsAnd429AreRetriedThenReturned) {
  if (auto why = NginxServer::missing()) GTEST_SKIP() << *why;
  TempDir root;
  NginxServer nginx(root.dir());
  EXPECT_EQ(perform({.url = nginx.url("status/503")}, quick(3)).status, 503);
  EXPECT_EQ(perform({.url = nginx.url("status/429")}, quick(2)).status, 429);
  const std::vector<AccessLogEntry> log = nginx.access_log(5);
  ASSERT_EQ(log.size(), 5u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(log[i].status, 503);
  for (size_t i = 3; i < 5; ++i) EXPECT_EQ(log[i].status, 429);
}

TEST(NginxHarness, StoppedServerIsAConnectError) {
  if (auto why = NginxServer::missing()) GTEST_SKIP() << *why;
  TempDir root;
  std::string url;
  {
    NginxServer nginx(root.dir());
    url = nginx.url("a.bin");
  }
  try {
    perform({.url = url}, quick(2));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_EQ(e.path(), url);
  }
}

TEST(S3Harness, SignedPutThenGetRoundTrips) {
  if (auto why = S3Server::missing()) GTEST_SKIP() << *why;
  S3Server s3({"test-bucket"});
  const remote::S3Config cfg = s3.config();
  const std::string url = remote::s3_http_url(cfg, {"test-bucket", "dir/a b+c.esdb"});
  std::string bytes(100000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 + i / 300);

  Response put = perform({.method = "PUT", .url = url, .body = bytes, .sign = &cfg});
  ASSERT_EQ(put.status, 200) << put.body;
  Response get = perform({.url = url, .sign = &cfg});
  ASSERT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(get.body, bytes);
  Response part = perform({.url = url, .range = std::pair<uint64_t, uint64_t>{10, 19}, .sign = &cfg});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, bytes.substr(10, 10));
}

TEST(S3Harness, UnsignedAndWrongCredentialsAreRefused) {
  if (auto why = S3Server::missing()) GTEST_SKIP() << *why;
  S3Server s3({"test-bucket"});
  const remote::S3Config good = s3.config();
  const std::string url = remote::s3_http_url(good, {"test-bucket", "x.esdb"});
  ASSERT_EQ(perform({.method = "PUT", .url = url, .body = "abc", .sign = &good}).status, 200);

  Response r = perform({.url = url});
  EXPECT_EQ(r.status, 403);
  remote::S3Config wrong_secret = good;
  wrong_secret.secret_key = "not-the-secret";
  r = perform({.url = url, .sign = &wrong_secret});
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("SignatureDoesNotMatch"), std::string::npos) << r.body;
  remote::S3Config wrong_key = good;
  wrong_key.access_key = "SOMEONEELSE";
  r = perform({.url = url, .sign = &wrong_key});
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("InvalidAccessKeyId"), std::string::npos) << r.body;
  // A wrong secret on an upload stores nothing.
  EXPECT_EQ(perform({.method = "PUT", .url = url, .body = "xyz", .sign = &wrong_secret}).status, 403);
  EXPECT_EQ(perform({.url = url, .sign = &good}).body, "abc");
}

}  // namespace
}  // namespace esdb::test
