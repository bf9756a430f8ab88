// libcurl behind perform(): one easy handle per thread, kept between calls so
// that its connection cache reuses the keep-alive connection to the same host
// (a lookup is a few small ranged GETs; a new TCP/TLS handshake for each would
// cost more than the bytes).
#include "remote/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "esdb/error.h"

namespace esdb::remote {
namespace {

std::atomic<uint64_t> g_requests{0};

// curl_global_init is not thread-safe and must run once before any handle.
void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw Error(Errc::io, "", Error::kNoOffset, "libcurl could not be initialised");
  });
}

struct Handle {
  CURL* curl = nullptr;
  Handle() {
    global_init();
    curl = curl_easy_init();
  }
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

CURL* thread_handle(const std::string& url) {
  thread_local Handle handle;
  if (!handle.curl) throw Error(Errc::io, url, Error::kNoOffset, "libcurl could not create a handle");
  // Options go back to their defaults; live connections and the DNS cache stay.
  curl_easy_reset(handle.curl);
  return handle.curl;
}

struct SList {
  curl_slist* list = nullptr;
  void add(const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (!next) throw std::bad_alloc();
    list = next;
  }
  ~SList() { curl_slist_free_all(list); }
};

struct Exchange {
  Response response;
  const std::string* body = nullptr;  // what a PUT sends
  size_t sent = 0;
  uint64_t max_body = 0;
  bool too_large = false;
};

uint64_t body_limit(const Request& req) {
  if (req.max_body) return req.max_body;
  if (req.range && req.range->second >= req.range->first) return req.range->second - req.range->first + 1;
  return Request::kDefaultMaxBody;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  if (size * n > ex->max_body - ex->response.body.size()) {
    ex->too_large = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  ex->response.body.append(data, size * n);
  return size * n;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const std::string_view line(data, size * n);
  // A status line starts a new response (after a 100 Continue): forget the
  // headers of the previous one.
  if (line.starts_with("HTTP/")) {
    ex->response.headers.clear();
    return size * n;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos)
    ex->response.headers[lower(std::string(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  return size * n;
}

size_t on_upload(char* buffer, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t count = std::min(size * n, ex->body->size() - ex->sent);
  std::memcpy(buffer, ex->body->data() + ex->sent, count);
  ex->sent += count;
  return count;
}

bool retryable(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool retryable(long status) { return status == 429 || status >= 500; }

void check(CURLcode rc, const std::string& url) {
  if (rc != CURLE_OK)
    throw Error(Errc::io, url, Error::kNoOffset, std::string("libcurl: ") + curl_easy_strerror(rc));
}

// One try. Returns the curl result; the response is filled when it is CURLE_OK.
CURLcode attempt(const Request& req, const RetryPolicy& policy, Exchange& ex, char* error_buffer) {
  CURL* curl = thread_handle(req.url);
  ex.response = {};
  ex.sent = 0;
  ex.max_body = body_limit(req);
  ex.too_large = false;
  SList headers;
  // A PUT of a few MiB would otherwise wait for a 100 Continue first.
  headers.add("Expect:");
  for (const std::string& h : req.headers) headers.add(h);

  check(curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str()), req.url);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM, safe in threads
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  const char* env_ca = std::getenv("AWS_CA_BUNDLE");
  const std::string ca = !req.ca_file.empty() ? req.ca_file : env_ca ? env_ca : "";
  if (!ca.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(policy.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(policy.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ex);
  // Bodies are taken as sent: a Content-Encoding would break byte ranges.
  curl_easy_setopt(curl, CURLOPT_HTTP_CONTENT_DECODING, 0L);

  if (req.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (req.method == "PUT") {
    ex.body = &req.body;
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &ex);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  } else if (req.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  } else if (req.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  std::string range;
  if (req.range) {
    range = std::to_string(req.range->first) + "-" + std::to_string(req.range->second);
    curl_easy_setopt(curl, CURLOPT_RANGE, range.c_str());
  }
  std::string sigv4, userpwd;
  if (req.sign) {
    // curl signs the headers it sends; S3 also wants the payload's hash in
    // x-amz-content-sha256, and UNSIGNED-PAYLOAD spares hashing uploads
    // twice (the transport is TLS on AWS, and every esdb byte is checksummed).
    headers.add("x-amz-content-sha256: UNSIGNED-PAYLOAD");
    if (!req.sign->session_token.empty()) headers.add("x-amz-security-token: " + req.sign->session_token);
    sigv4 = "aws:amz:" + req.sign->region + ":s3";
    userpwd = req.sign->access_key + ":" + req.sign->secret_key;
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);

  error_buffer[0] = '\0';
  ++g_requests;
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK || ex.too_large) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &ex.response.status);
  // The handle keeps pointers to this call's strings and list: drop them now.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  return rc;
}

}  // namespace

S3Config S3Config::from_environment() {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  S3Config c;
  c.access_key = env("AWS_ACCESS_KEY_ID");
  c.secret_key = env("AWS_SECRET_ACCESS_KEY");
  c.session_token = env("AWS_SESSION_TOKEN");
  std::string region = env("AWS_REGION");
  if (region.empty()) region = env("AWS_DEFAULT_REGION");
  if (!region.empty()) c.region = region;
  c.endpoint = env("AWS_ENDPOINT_URL_S3");
  if (c.endpoint.empty()) c.endpoint = env("AWS_ENDPOINT_URL");
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  return c;
}

Response perform(const Request& request, const RetryPolicy& policy) {
  if (!request.url.starts_with("http://") && !request.url.starts_with("https://"))
    throw Error(Errc::invalid_argument, request.url, Error::kNoOffset, "not an http:// or https:// URL");
  const int attempts = std::max(1, policy.attempts);
  auto backoff = policy.first_backoff;
  Exchange ex;
  char error_buffer[CURL_ERROR_SIZE];
  for (int i = 1;; ++i) {
    const CURLcode rc = attempt(request, policy, ex, error_buffer);
    const bool last = i >= attempts;
    if (rc == CURLE_OK && (last || !retryable(ex.response.status))) return std::move(ex.response);
    if (ex.too_large) {
      const bool ranged = request.range || std::any_of(request.headers.begin(), request.headers.end(),
                                                       [](const std::string& h) { return h.starts_with("Range:"); });
      const std::string limit = std::to_string(ex.max_body);
      throw Error(Errc::io, request.name.empty() ? request.url : request.name, Error::kNoOffset,
                  ranged && ex.response.status == 200
                      ? "the server ignored the range request (200 where 206 was asked) and sent more than " + limit + " bytes"
                      : "HTTP " + std::to_string(ex.response.status) + ": the response body is larger than " + limit +
                            " bytes");
    }
    if (rc != CURLE_OK && (last || !retryable(rc))) {
      std::string what = std::string("libcurl: ") + curl_easy_strerror(rc);
      if (error_buffer[0]) what += std::string(" (") + error_buffer + ")";
      if (i > 1) what += " after " + std::to_string(i) + " tries";
      throw Error(Errc::io, request.name.empty() ? request.url : request.name, Error::kNoOffset, what);
    }
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
}

uint64_t requests_sent() { return g_requests.load(); }

}  // namespace esdb::remote
