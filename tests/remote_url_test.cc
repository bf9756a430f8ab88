// The s3:// URL helper and the HTTP client's failure path (no server needed).
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "esdb/error.h"
#include "lib/remote/http.h"
#include "lib/remote/s3_url.h"

namespace esdb::remote {
namespace {

TEST(S3Url, ParsesBucketAndKey) {
  const S3Location w = parse_s3_url("s3://my-bucket/days/2024-01-01.esdb");
  EXPECT_EQ(w.bucket, "my-bucket");
  EXPECT_EQ(w.key, "days/2024-01-01.esdb");
  EXPECT_EQ(parse_s3_url("s3://my-bucket").key, "");
  EXPECT_EQ(parse_s3_url("s3://my-bucket/").key, "");
}

TEST(S3Url, RejectsBadBuckets) {
  for (const char* url : {"s3://", "s3:///key", "s3://UPPER/key", "s3://a/key", "s3://sp ace/k", "http://x/y"}) {
    try {
      parse_s3_url(url);
      ADD_FAILURE() << url << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::invalid_argument);
      EXPECT_EQ(e.path(), url);
    }
  }
}

TEST(S3Url, EscapesKeysAsSigV4Wants) {
  EXPECT_EQ(uri_escape("a b/c+d~e_f.g-h%", true), "a%20b/c%2Bd~e_f.g-h%25");
  EXPECT_EQ(uri_escape("a/b", false), "a%2Fb");
  EXPECT_EQ(uri_escape("\xc3\xa9", true), "%C3%A9");
}

TEST(S3Url, AwsVirtualHostAndEndpointPathStyle) {
  S3Config aws;
  aws.region = "eu-west-1";
  EXPECT_EQ(s3_http_url(aws, {"logs", "day 1.esdb"}), "https://logs.s3.eu-west-1.amazonaws.com/day%201.esdb");
  EXPECT_EQ(s3_http_url(aws, {"my.logs", "k"}), "https://s3.eu-west-1.amazonaws.com/my.logs/k");
  S3Config local;
  local.endpoint = "http://127.0.0.1:9000";
  EXPECT_EQ(s3_http_url(local, {"logs", "a/b.esdb"}), "http://127.0.0.1:9000/logs/a/b.esdb");
  EXPECT_EQ(s3_http_url(local, {"logs", ""}), "http://127.0.0.1:9000/logs/");
}

TEST(S3Url, ConfigFromEnvironment) {
  setenv("AWS_ACCESS_KEY_ID", "AK", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "SK", 1);
  setenv("AWS_SESSION_TOKEN", "TOK", 1);
  setenv("AWS_REGION", "ap-south-1", 1);
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1234/", 1);
  const S3Config c = S3Config::from_environment();
  EXPECT_EQ(c.access_key, "AK");
  EXPECT_EQ(c.secret_key, "SK");
  EXPECT_EQ(c.session_token, "TOK");
  EXPECT_EQ(c.region, "ap-south-1");
  EXPECT_EQ(c.endpoint, "http://127.0.0.1:1234");
  for (const char* n : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_ENDPOINT_URL"})
    unsetenv(n);
  EXPECT_EQ(S3Config::from_environment().region, "us-east-1");
}

// A port that was just free: nothing listens there.
int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

TEST(HttpClient, ConnectionRefusedIsAnIoErrorAfterTheRetries) {
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/x.esdb";
  const uint64_t before = requests_sent();
  RetryPolicy policy;
  policy.attempts = 3;
  policy.first_backoff = std::chrono::milliseconds(1);
  try {
    perform({.url = url}, policy);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_EQ(e.path(), url);
    EXPECT_NE(e.detail().find("3 tries"), std::string::npos) << e.what();
  }
  EXPECT_EQ(requests_sent() - before, 3u);
}

TEST(HttpClient, RefusesOtherSchemes) {
  try {
    perform({.url = "file:///etc/passwd"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument);
  }
}

}  // namespace
}  // namespace esdb::remote
