#include "remote/servers.h"

#include <pugixml.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "lib/remote/s3_list.h"
#include "lib/remote/s3_url.h"

extern char** environ;

namespace esdb::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr milliseconds kStartLimit{15000};  // node starts slowly on a loaded machine
constexpr milliseconds kStopLimit{5000};

std::string make_temp_dir(const char* what) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/esdb-" + what + "-XXXXXX";
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  return pattern;
}

// The first executable `name` on PATH or in `extra` directories, or "".
std::string find_program(const std::string& name, const std::vector<std::string>& extra) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    for (std::string d; std::getline(ss, d, ':');) dirs.push_back(d);
  }
  dirs.insert(dirs.end(), extra.begin(), extra.end());
  for (const std::string& d : dirs) {
    const std::string p = d + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

std::string npm_prefix() {
  const char* p = std::getenv("ESDB_NPM_PREFIX");
  return p && *p ? p : "/opt/esdb-npm";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

[[noreturn]] void failed_to_start(const std::string& what, const std::string& log) {
  throw std::runtime_error(what + " did not start within " + std::to_string(kStartLimit.count()) +
                           " ms; its output:\n" + read_file(log));
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_path,
                           const std::vector<std::string>& extra_env) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_storage(extra_env);
  std::vector<char*> env;
  for (std::string& e : env_storage) env.push_back(e.data());
  for (char** e = environ; *e; ++e) env.push_back(*e);
  env.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
}

ChildProcess::~ChildProcess() { stop(); }

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ChildProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + kStopLimit;
  int status;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  pid_ = -1;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

bool wait_for_port(int port, ChildProcess& child, milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (up) return true;
    if (!child.running()) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

// ---- a certificate ----

std::optional<std::string> make_test_certificate(const std::string& dir) {
  const std::string openssl = find_program("openssl", {"/usr/bin", "/usr/local/bin"});
  if (openssl.empty()) return "openssl is not installed (Debian: openssl; scripts/deps.sh installs it)";
  const std::string log = dir + "/openssl.log";
  ChildProcess p({openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                  "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem"},
                 log);
  for (int i = 0; i < 500 && p.running(); i++) std::this_thread::sleep_for(milliseconds(20));
  if (p.running()) return "openssl took over 10 s to make a certificate";
  if (!fs::exists(dir + "/cert.pem") || !fs::exists(dir + "/key.pem")) return "openssl failed: " + read_file(log);
  return std::nullopt;
}

// ---- nginx ----

static std::string nginx_binary() { return find_program("nginx", {"/usr/sbin", "/usr/local/sbin"}); }

std::optional<std::string> NginxServer::missing() {
  if (nginx_binary().empty()) return "nginx is not installed (Debian: nginx-light; scripts/deps.sh installs it)";
  return std::nullopt;
}

NginxServer::NginxServer(const std::string& root, const std::string& tls_cert, const std::string& tls_key)
    : dir_(make_temp_dir("nginx")), tls_(!tls_cert.empty()) {
  port_ = free_port();
  fs::create_directories(dir_ + "/tmp");
  // One process in the foreground, everything under dir_, nothing of the
  // system's configuration; sendfile off so bytes_sent is what went out.
  std::ofstream conf(dir_ + "/nginx.conf");
  conf << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
       << "pid " << dir_ << "/nginx.pid;\nerror_log " << dir_ << "/error.log warn;\n"
       << "events { worker_connections 256; }\n"
       << "http {\n"
       << "  log_format esdb '$request_method\\t$request_uri\\t$status\\t$http_range\\t$body_bytes_sent';\n"
       << "  access_log " << dir_ << "/access.log esdb;\n"
       << "  client_body_temp_path " << dir_ << "/tmp/body;\n"
       << "  proxy_temp_path " << dir_ << "/tmp/proxy;\n"
       << "  fastcgi_temp_path " << dir_ << "/tmp/fastcgi;\n"
       << "  uwsgi_temp_path " << dir_ << "/tmp/uwsgi;\n"
       << "  scgi_temp_path " << dir_ << "/tmp/scgi;\n"
       << "  types { application/octet-stream esdb; }\n"
       << "  default_type application/octet-stream;\n"
       << "  keepalive_requests 100000;\n"
       << "  server {\n    listen 127.0.0.1:" << port_ << (tls_ ? " ssl" : "") << ";\n    root " << root << ";\n"
       << (tls_ ? "    ssl_certificate " + tls_cert + ";\n    ssl_certificate_key " + tls_key + ";\n" : "")
       << "    location / { }\n"
       // Fixed failures, for the client's retry tests.
       << "    location = /status/503 { return 503; }\n"
       << "    location = /status/429 { return 429; }\n  }\n}\n";
  conf.close();
  const std::string log = dir_ + "/output.log";
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{nginx_binary(), "-p", dir_, "-e", dir_ + "/error.log", "-c", dir_ + "/nginx.conf"},
      log);
  if (!wait_for_port(port_, *process_, kStartLimit)) {
    process_->stop();
    failed_to_start("nginx", dir_ + "/error.log");
  }
}

NginxServer::~NginxServer() {
  process_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string NginxServer::url(const std::string& name) const {
  return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + "/" + name;
}

std::vector<AccessLogEntry> NginxServer::access_log(size_t at_least) const {
  std::vector<AccessLogEntry> entries = read_access_log();
  for (int i = 0; i < 500 && entries.size() < at_least; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    entries = read_access_log();
  }
  return entries;
}

std::vector<AccessLogEntry> NginxServer::read_access_log() const {
  std::vector<AccessLogEntry> entries;
  std::ifstream in(dir_ + "/access.log");
  for (std::string line; std::getline(in, line);) {
    std::stringstream ss(line);
    AccessLogEntry e;
    std::string status, bytes;
    std::getline(ss, e.method, '\t');
    std::getline(ss, e.uri, '\t');
    std::getline(ss, status, '\t');
    std::getline(ss, e.range, '\t');
    std::getline(ss, bytes, '\t');
    if (e.range == "-") e.range.clear();
    e.status = std::atoi(status.c_str());
    e.bytes_sent = std::strtoull(bytes.c_str(), nullptr, 10);
    entries.push_back(std::move(e));
  }
  return entries;
}

void NginxServer::clear_log() {
  // nginx appends (O_APPEND): after truncation its next line starts the file.
  std::ofstream(dir_ + "/access.log", std::ios::trunc);
}

// ---- s3rver ----

static std::string node_binary() { return find_program("node", {"/usr/bin", "/usr/local/bin"}); }

std::optional<std::string> S3Server::missing() {
  if (node_binary().empty()) return "node is not installed (Debian: nodejs; scripts/deps.sh installs it)";
  for (const char* module : {"s3rver", "aws4"})
    if (!fs::exists(npm_prefix() + "/node_modules/" + module + "/package.json"))
      return std::string("the npm package ") + module + " is not installed under " + npm_prefix() +
             " (scripts/deps.sh installs it; ESDB_NPM_PREFIX names another prefix)";
  return std::nullopt;
}

S3Server::S3Server(const std::vector<std::string>& buckets, int fail_part) : dir_(make_temp_dir("s3rver")) {
  port_ = free_port();
  fs::create_directories(dir_ + "/data");
  // s3rver's continuation tokens are DES-encrypted: OpenSSL 3 has DES only
  // in its legacy provider.
  std::vector<std::string> argv{node_binary(), "--openssl-legacy-provider", ESDB_TEST_DATA_DIR "/remote/s3_server.js", std::to_string(port_),
                                dir_ + "/data", kAccessKey, kSecretKey};
  argv.insert(argv.end(), buckets.begin(), buckets.end());
  const std::string log = dir_ + "/output.log";
  process_ = std::make_unique<ChildProcess>(argv, log,
                                            std::vector<std::string>{"NODE_PATH=" + npm_prefix() + "/node_modules",
                                                                     "ESDB_S3_FAIL_PART=" + std::to_string(fail_part)});
  if (!wait_for_port(port_, *process_, kStartLimit)) {
    process_->stop();
    failed_to_start("s3rver", log);
  }
}

S3Server::~S3Server() {
  process_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string S3Server::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

remote::S3Config S3Server::config() const {
  remote::S3Config c;
  c.access_key = kAccessKey;
  c.secret_key = kSecretKey;
  c.endpoint = endpoint();
  return c;
}

void S3Server::export_environment() const {
  ::setenv("AWS_ENDPOINT_URL", endpoint().c_str(), 1);
  ::setenv("AWS_ACCESS_KEY_ID", kAccessKey, 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", kSecretKey, 1);
  ::setenv("AWS_REGION", "us-east-1", 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  ::unsetenv("AWS_ENDPOINT_URL_S3");
}

}  // namespace esdb::test

namespace esdb::test {

std::vector<std::string> S3Server::objects(const std::string& bucket) const {
  std::vector<std::string> keys;
  const remote::S3Config c = config();
  for (const remote::S3Object& o : remote::list_objects(c, bucket, {}, "s3://" + bucket + "/"))
    keys.push_back(o.key);
  return keys;
}

std::vector<std::string> S3Server::uploads_in_progress(const std::string& bucket) const {
  const remote::S3Config c = config();
  const remote::Response r =
      remote::perform({.url = remote::s3_http_url(c, {bucket, ""}) + "?uploads=", .sign = &c});
  if (r.status != 200) throw std::runtime_error("ListMultipartUploads: " + remote::s3_error_text(r));
  pugi::xml_document doc;
  if (!doc.load_buffer(r.body.data(), r.body.size())) throw std::runtime_error("ListMultipartUploads: not XML");
  std::vector<std::string> keys;
  for (const pugi::xml_node u : doc.child("ListMultipartUploadsResult").children("Upload"))
    keys.push_back(u.child_value("Key"));
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace esdb::test
