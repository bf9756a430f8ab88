// s3:// patterns expanded through ListObjectsV2 against s3rver.
#include <gtest/gtest.h>

#include "esdb/error.h"
#include "esdb/remote.h"
#include "lib/remote/s3_list.h"
#include "lib/remote/s3_url.h"
#include "remote/servers.h"

namespace esdb::test {
namespace {

class S3List : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = S3Server::missing()) GTEST_SKIP() << *why;
    s3_ = std::make_unique<S3Server>(std::vector<std::string>{"bucket"});
    s3_->export_environment();
    config_ = s3_->config();
  }
  void put(const std::string& key) {
    const remote::Response r = remote::perform(
        {.method = "PUT", .url = remote::s3_http_url(config_, {"bucket", key}), .body = key, .sign = &config_});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::unique_ptr<S3Server> s3_;
  remote::S3Config config_;
};

TEST_F(S3List, PatternInTheLastComponentListsSortedMatches) {
  for (const char* key : {"days/day-2.esdb", "days/day-10.esdb", "days/day-1.esdb", "days/other.esdb",
                          "days/day-1.txt", "days/sub/day-3.esdb", "day-4.esdb", "days/.day-5.esdb"})
    put(key);
  using V = std::vector<std::string>;
  EXPECT_EQ(expand_s3_pattern("s3://bucket/days/day-*.esdb"),
            (V{"s3://bucket/days/day-1.esdb", "s3://bucket/days/day-10.esdb", "s3://bucket/days/day-2.esdb"}));
  EXPECT_EQ(expand_s3_pattern("s3://bucket/days/day-?.esdb"),
            (V{"s3://bucket/days/day-1.esdb", "s3://bucket/days/day-2.esdb"}));
  EXPECT_EQ(expand_s3_pattern("s3://bucket/days/day-[2-9].esdb"), (V{"s3://bucket/days/day-2.esdb"}));
  EXPECT_EQ(expand_s3_pattern("s3://bucket/*.esdb"), (V{"s3://bucket/day-4.esdb"}));
  EXPECT_EQ(expand_s3_pattern("s3://bucket/days/*"),
            (V{"s3://bucket/days/day-1.esdb", "s3://bucket/days/day-1.txt", "s3://bucket/days/day-10.esdb",
               "s3://bucket/days/day-2.esdb", "s3://bucket/days/other.esdb"}));
  EXPECT_TRUE(expand_s3_pattern("s3://bucket/days/none-*.esdb").empty());
  // Not a pattern: returned as given, nothing listed.
  EXPECT_EQ(expand_s3_pattern("s3://bucket/days/day-1.esdb"), (V{"s3://bucket/days/day-1.esdb"}));
  EXPECT_TRUE(is_s3_pattern("s3://bucket/a/*.esdb"));
  EXPECT_FALSE(is_s3_pattern("s3://bucket/a*/x.esdb"));
  EXPECT_FALSE(is_s3_pattern("https://host/x.esdb?a=b"));
}

TEST_F(S3List, EveryPageIsFollowed) {
  std::vector<std::string> keys;
  for (int i = 0; i < 7; ++i) keys.push_back("p/k+" + std::to_string(i) + " x.esdb");  // escaped in tokens too
  for (const std::string& k : keys) put(k);
  const uint64_t before = remote::requests_sent();
  const std::vector<remote::S3Object> objects =
      remote::list_objects(config_, "bucket", {.prefix = "p/", .max_keys = 2}, "s3://bucket/p/");
  EXPECT_EQ(remote::requests_sent() - before, 4u);  // 2 + 2 + 2 + 1
  ASSERT_EQ(objects.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(objects[i].key, keys[i]);
    EXPECT_EQ(objects[i].size, keys[i].size());
  }
}

TEST_F(S3List, PatternBeforeTheLastComponentIsRefused) {
  try {
    expand_s3_pattern("s3://bucket/day*/x.esdb");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument);
  }
}

TEST_F(S3List, WrongCredentialsAreAnIoErrorNamingTheUrl) {
  put("days/day-1.esdb");
  setenv("AWS_SECRET_ACCESS_KEY", "wrong", 1);
  try {
    expand_s3_pattern("s3://bucket/days/*.esdb");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_EQ(e.path(), "s3://bucket/days/*.esdb");
    EXPECT_NE(e.detail().find("403 SignatureDoesNotMatch"), std::string::npos) << e.what();
  }
  s3_->export_environment();
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);  // nothing listens on port 1
  try {
    expand_s3_pattern("s3://bucket/days/*.esdb");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_EQ(e.path(), "s3://bucket/days/*.esdb");
  }
}

TEST_F(S3List, MissingBucketIsAnIoError) {
  try {
    expand_s3_pattern("s3://no-such-bucket/*.esdb");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_NE(e.detail().find("NoSuchBucket"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace esdb::test
