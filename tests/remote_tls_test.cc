// Reads over https from nginx on 127.0.0.1 with a certificate made for the
// test: the server is verified (chain and name) against ReaderOptions::ca_file
// or the file $AWS_CA_BUNDLE names; a server that cannot be verified is an io
// error naming the URL, and no request reaches it.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <memory>

#include "esdb/esdb.h"
#include "remote/servers.h"
#include "remote_fixture.h"
#include "test_util.h"

namespace esdb::test {
namespace {

class Https : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("AWS_CA_BUNDLE");
    if (auto why = NginxServer::missing()) GTEST_SKIP() << *why;
    if (auto why = make_test_certificate(certs_.dir())) GTEST_SKIP() << *why;
    model_ = remote_model(500);
    write_model(model_, files_.path("f.esdb"));
    nginx_ = std::make_unique<NginxServer>(files_.dir(), certs_.path("cert.pem"), certs_.path("key.pem"));
  }
  void TearDown() override { ::unsetenv("AWS_CA_BUNDLE"); }

  std::vector<Got> want(const std::string& key) const { return to_got(model_.expect(key, {}), false); }
  void expect_refused(const ReaderOptions& o) {
    const std::string url = nginx_->url("f.esdb");
    try {
      Reader::open(url, o);
      FAIL() << "opened a server it could not verify";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::io) << e.what();
      EXPECT_EQ(e.path(), url);
      EXPECT_NE(std::string(e.what()).find("certificate"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(nginx_->access_log().empty());  // the handshake failed: no request was made
  }

  TempDir files_, certs_;
  Model model_;
  std::unique_ptr<NginxServer> nginx_;
};

TEST_F(Https, VerifiedAgainstTheGivenCaFile) {
  const std::string url = nginx_->url("f.esdb");
  ASSERT_EQ(url.rfind("https://", 0), 0u);
  ReaderOptions o;
  o.ca_file = certs_.path("cert.pem");
  Reader r = Reader::open(url, o);
  EXPECT_EQ(collect(r.find("big")->scan()), want("big"));
  EXPECT_EQ(collect(r.find("k-00042")->scan()), want("k-00042"));
  EXPECT_FALSE(r.find("no-such-key"));
  EXPECT_EQ(r.transfer_stats().requests, nginx_->access_log(r.transfer_stats().requests).size());
}

TEST_F(Https, AwsCaBundleNamesTheCertificates) {
  ::setenv("AWS_CA_BUNDLE", certs_.path("cert.pem").c_str(), 1);
  Reader r = Reader::open(nginx_->url("f.esdb"));
  EXPECT_EQ(collect(r.find("huge")->scan()), want("huge"));
}

TEST_F(Https, AServerItCannotVerifyIsRefused) {
  ReaderOptions o;
  o.attempts = 1;
  expect_refused(o);  // the system's store does not know the test's certificate

  TempDir other;  // a certificate of the same name, but not the server's
  ASSERT_FALSE(make_test_certificate(other.dir()));
  o.ca_file = other.path("cert.pem");
  expect_refused(o);
  ::setenv("AWS_CA_BUNDLE", other.path("cert.pem").c_str(), 1);
  expect_refused(ReaderOptions{.attempts = 1});
}

}  // namespace
}  // namespace esdb::test
