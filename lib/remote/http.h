// One HTTP exchange with bounded retries: the only place esdb talks to libcurl.
// Both the ranged byte source under the Reader (http(s):// and s3:// reads)
// and the S3 calls (ListObjectsV2, uploads) go through perform().
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace esdb::remote {

// Credentials and addressing for s3:// URLs, from the usual environment:
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION
// (default us-east-1) and AWS_ENDPOINT_URL (an S3-compatible store; path-style
// addressing then).
struct S3Config {
  std::string access_key;
  std::string secret_key;
  std::string session_token;
  std::string region = "us-east-1";
  std::string endpoint;  // "" = AWS: https://BUCKET.s3.REGION.amazonaws.com/
  static S3Config from_environment();
};

struct RetryPolicy {
  int attempts = 4;                                  // tries in all, for retryable failures
  std::chrono::milliseconds first_backoff{50};       // doubled per retry
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};  // whole exchange, per try
};

struct Request {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
  std::string url;             // http:// or https://
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent for PUT/POST
  std::optional<std::pair<uint64_t, uint64_t>> range;  // bytes [first, last], inclusive
  const S3Config* sign = nullptr;  // sign with AWS Signature V4 (service s3) when set
  std::string name;  // what errors name (e.g. the s3:// URL); "" = url
  // https: PEM certificates the server's chain must lead to. "" = the file
  // $AWS_CA_BUNDLE names (the AWS tools' variable), else the system's store.
  // The certificate and the host name are always verified.
  std::string ca_file;
  // The most body bytes accepted; a larger answer is an io error, not an
  // allocation a hostile server chooses. 0 = the range's length when a
  // range is asked, else kDefaultMaxBody.
  uint64_t max_body = 0;
  static constexpr uint64_t kDefaultMaxBody = 64ull << 20;
};

struct Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; last value wins
  std::string body;
};

// Sends the request; retries connection failures, timeouts, 5xx and 429 with
// doubling backoff up to policy.attempts, and returns the last response
// otherwise (the caller judges 4xx, 206 vs 200, Content-Range, ETag).
// Throws esdb::Error(io, name or url, ...) when no response could be had.
Response perform(const Request& request, const RetryPolicy& policy = {});

// Every request perform() sent (tries included) since the process started;
// benchmarks and tests read it beside the server's own access log.
uint64_t requests_sent();

}  // namespace esdb::remote
