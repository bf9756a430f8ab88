// ListObjectsV2: the keys of a bucket under a prefix, every page.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "http.h"

namespace esdb::remote {

struct S3Object {
  std::string key;
  uint64_t size = 0;
};

struct ListOptions {
  std::string prefix;
  std::string delimiter;  // "/": keys below the next '/' are left out
  int max_keys = 1000;    // per page; tests use a small one to walk pages
};

// The objects under options.prefix in key order, following continuation
// tokens. `url` names the listing in errors (an io error for any refusal,
// with S3's error code and message).
std::vector<S3Object> list_objects(const S3Config& config, const std::string& bucket,
                                   const ListOptions& options, const std::string& url);

// S3's <Error><Code>..</Code><Message>..</Message></Error> as "Code: Message",
// or the status alone when the body holds none; for every S3 error message.
std::string s3_error_text(const Response& response);

}  // namespace esdb::remote
