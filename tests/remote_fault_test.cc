// Faults between a remote Reader and nginx, injected per request by the
// tests' own proxy (tests/remote/fault_proxy.py): a transient fault is
// retried and the lookup succeeds; a lasting one, or an answer that is not
// exactly the range asked, is an io error naming the URL. Never wrong
// events, never a hang past the timeout.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "remote/servers.h"
#include "remote_fixture.h"
#include "test_util.h"

namespace esdb::test {
namespace {

class FaultProxy {
 public:
  explicit FaultProxy(int upstream) : port_(free_port()) {
    const std::string script = std::string(ESDB_TEST_DATA_DIR) + "/remote/fault_proxy.py";
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/python3", script, std::to_string(upstream), std::to_string(port_)},
        log_.path("proxy.log"));
    if (!wait_for_port(port_, *process_, std::chrono::seconds(10))) {
      throw std::runtime_error("fault proxy did not start: " + read_file(log_.path("proxy.log")));
    }
  }
  // The URL of `name` with `fault` ("503@2", "short@1+", "ok").
  std::string url(const std::string& fault, const std::string& name) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + fault + "/" + name;
  }

 private:
  TempDir log_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

class RemoteFault : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    model_ = new Model(remote_model(8000));
    write_model(*model_, dir_->path("f.esdb"));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete model_;
  }
  void SetUp() override {
    if (auto why = NginxServer::missing()) GTEST_SKIP() << *why;
    if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3 for the fault proxy";
    nginx_ = std::make_unique<NginxServer>(dir_->dir());
    proxy_ = std::make_unique<FaultProxy>(nginx_->port());
  }
  static ReaderOptions quick() {
    ReaderOptions o;
    o.attempts = 3;
    o.timeout_ms = 1000;  // the proxy's delay is 5 s
    return o;
  }
  // Opens through `fault` and looks "big" up (open = request 1, then the
  // bucket and the key's region): the events, or the error.
  std::vector<Got> lookup(const std::string& fault) {
    Reader r = Reader::open(proxy_->url(fault, "f.esdb"), quick());
    return collect(r.find("big")->scan());
  }
  void expect_io_error(const std::string& fault, const std::string& says) {
    const std::string url = proxy_->url(fault, "f.esdb");
    try {
      Reader r = Reader::open(url, quick());
      auto k = r.find("big");
      std::vector<Got> got = k ? collect(k->scan()) : std::vector<Got>{};
      FAIL() << fault << ": no error, " << got.size() << " events";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::io) << e.what();
      EXPECT_EQ(e.path(), url);
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << fault << ": " << e.what();
    }
  }
  std::vector<Got> want() const { return to_got(model_->expect("big", {}), false); }

  static TempDir* dir_;
  static Model* model_;
  std::unique_ptr<NginxServer> nginx_;
  std::unique_ptr<FaultProxy> proxy_;
};
TempDir* RemoteFault::dir_;
Model* RemoteFault::model_;

TEST_F(RemoteFault, NoFaultReadsTheEvents) { EXPECT_EQ(lookup("ok"), want()); }

TEST_F(RemoteFault, TransientFaultsAreRetried) {
  for (std::string f : {"500@1", "503@2", "429@2", "reset@2", "delay@2", "503@3"}) {
    EXPECT_EQ(lookup(f), want()) << f;
  }
}

TEST_F(RemoteFault, LastingFaultsAreIoErrors) {
  expect_io_error("503@2+", "503");
  expect_io_error("429@1+", "429");
  expect_io_error("reset@2+", "");
  expect_io_error("delay@2+", "");
}

TEST_F(RemoteFault, WrongAnswersAreIoErrors) {
  for (std::string n : {"1", "2", "3"}) {
    expect_io_error("full@" + n, "200 where 206 was asked");
    expect_io_error("short@" + n, "bytes for a range of");
    expect_io_error("range@" + n, "Content-Range");
    // Read no further than asked: a server cannot make a reader buffer more.
    expect_io_error("long@" + n, "larger than");
  }
  expect_io_error("etag@2", "changed since it was opened");
}

}  // namespace
}  // namespace esdb::test
