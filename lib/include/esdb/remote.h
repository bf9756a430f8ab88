// Archives on object storage: URLs in place of paths.
//
// http://, https:// and s3://bucket/key name remote files. s3:// requests are
// signed (AWS Signature V4) with credentials from the environment:
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (optional),
// AWS_REGION (default us-east-1), and AWS_ENDPOINT_URL for an S3-compatible
// store (path-style addressing: ENDPOINT/BUCKET/KEY).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace esdb {

// True for http://, https:// and s3:// names.
bool is_url(std::string_view path);

// True when `url` is an s3:// URL whose last path component holds a pattern
// (`*`, `?` or `[...]`, as fnmatch(3)).
bool is_s3_pattern(std::string_view url);

// The objects an s3:// pattern names, as s3:// URLs sorted byte-wise:
// s3://bucket/days/day-*.esdb lists the keys under "days/day-" with
// ListObjectsV2 (every page) and keeps those whose last component matches.
// Objects in deeper "directories" do not match; a pattern before the last
// '/' is an invalid_argument error. An empty result is not an error here.
// A refused or failed listing is an io error naming the URL.
std::vector<std::string> expand_s3_pattern(const std::string& url);

}  // namespace esdb
