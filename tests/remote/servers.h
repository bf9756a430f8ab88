// Real servers for the remote tests, each started on 127.0.0.1 on a free port
// by the test that needs it and stopped (killed and reaped) when it goes out
// of scope: nginx serving a directory, with an access log the tests count
// requests from, and s3rver (an S3-compatible store) checking credentials.
//
// A test skips, naming what to install, only when a server's program is
// missing:   if (auto why = NginxServer::missing()) GTEST_SKIP() << *why;
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/remote/http.h"

namespace esdb::test {

// A program run in the background, its output in `log_path`; killed
// (SIGTERM, then SIGKILL after a bounded wait) and reaped by the destructor.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path,
               const std::vector<std::string>& extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  bool running();
  void stop();

 private:
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
int free_port();
// True once 127.0.0.1:port accepts connections, false after `limit`
// (or as soon as `child` has exited).
bool wait_for_port(int port, ChildProcess& child, std::chrono::milliseconds limit);

// A self-signed certificate for 127.0.0.1 (subjectAltName IP:127.0.0.1) and
// its key, written by the openssl program into dir as cert.pem and key.pem;
// why not, when openssl is missing or fails.
std::optional<std::string> make_test_certificate(const std::string& dir);

// One line of nginx's access log.
struct AccessLogEntry {
  std::string method;
  std::string uri;
  int status = 0;
  std::string range;        // the request's Range header, "" if none
  uint64_t bytes_sent = 0;  // the body's bytes, headers not counted
};

class NginxServer {
 public:
  // Why the server cannot run here (the program is missing), or nullopt.
  static std::optional<std::string> missing();

  // Serves the files under root; over https when a PEM certificate and its
  // key are given (make_test_certificate()).
  explicit NginxServer(const std::string& root, const std::string& tls_cert = "", const std::string& tls_key = "");
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& name) const;  // http(s)://127.0.0.1:PORT/name
  // Every request logged so far, oldest first; clear_log() starts afresh.
  // nginx logs a request just after answering it, so a client that has its
  // answer may look before the line is written: `at_least` waits (up to 5
  // s) for that many lines.
  std::vector<AccessLogEntry> access_log(size_t at_least = 0) const;
  void clear_log();

 private:
  std::vector<AccessLogEntry> read_access_log() const;
  std::string dir_;  // config, logs, pid: a temporary directory of its own
  int port_ = 0;
  bool tls_ = false;
  std::unique_ptr<ChildProcess> process_;
};

class S3Server {
 public:
  static constexpr const char* kAccessKey = "ESDBTESTKEY";
  static constexpr const char* kSecretKey = "esdb-test-secret";
  static std::optional<std::string> missing();

  // An empty store with these buckets; requests must be signed with
  // kAccessKey/kSecretKey (AWS Signature V4), anything else gets 403.
  // fail_part > 0: every UploadPart of that part number gets a 500.
  explicit S3Server(const std::vector<std::string>& buckets, int fail_part = 0);
  ~S3Server();
  S3Server(const S3Server&) = delete;
  S3Server& operator=(const S3Server&) = delete;

  std::string endpoint() const;      // http://127.0.0.1:PORT
  remote::S3Config config() const;  // endpoint + the right credentials
  // Sets AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
  // AWS_REGION for code (and the CLI) that reads the environment.
  void export_environment() const;
  // Keys of the bucket's objects (ListObjectsV2) and of its multipart
  // uploads in progress (ListMultipartUploads), sorted.
  std::vector<std::string> objects(const std::string& bucket) const;
  std::vector<std::string> uploads_in_progress(const std::string& bucket) const;

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace esdb::test
