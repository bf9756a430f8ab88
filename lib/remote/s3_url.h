// s3://bucket/key URLs and the https URLs their requests go to.
#pragma once

#include <string>
#include <string_view>

#include "http.h"  // same directory, so tests can include this header too

namespace esdb::remote {

struct S3Location {
  std::string bucket;
  std::string key;  // may be empty (the bucket itself) or a prefix
};

inline bool is_s3_url(std::string_view s) { return s.starts_with("s3://"); }
inline bool is_http_url(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }
inline bool is_remote_url(std::string_view s) { return is_s3_url(s) || is_http_url(s); }

// s3://bucket/key -> {bucket, key}; invalid_argument naming the URL when the
// bucket is missing or not a valid S3 bucket name.
S3Location parse_s3_url(const std::string& url);

// RFC 3986 percent-encoding as AWS Signature V4 wants it: every byte but
// A-Z a-z 0-9 - . _ ~ (and '/' when keep_slash) as %XX, upper-case hex.
std::string uri_escape(std::string_view s, bool keep_slash);

// The object's URL: AWS virtual-host style
// https://BUCKET.s3.REGION.amazonaws.com/KEY, or, with an endpoint
// (AWS_ENDPOINT_URL, an S3-compatible store), path style ENDPOINT/BUCKET/KEY.
// The key is escaped; an empty key gives the bucket's URL (ending in '/').
std::string s3_http_url(const S3Config& config, const S3Location& where);

}  // namespace esdb::remote
