// Putting a finished local file on S3 so that the object appears only whole:
// one PUT up to the part size, else a multipart upload (Create, UploadPart
// per part, Complete) that is aborted on any failure, leaving nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "http.h"

namespace esdb::remote {

struct UploadOptions {
  uint64_t part_size = 16u << 20;  // S3 wants >= 5 MiB for every part but the last
  // Called before each part is sent (from 1); a throw fails the upload there.
  // Tests inject a failure mid upload with it.
  std::function<void(int part_number)> before_part;
};

// S3 allows at most this many parts: a larger file gets larger parts.
inline constexpr uint64_t kMaxParts = 10000;

// Uploads local_path to the s3:// URL `url`. Errors are io errors naming url.
void upload_file(const S3Config& config, const std::string& url, const std::string& local_path,
                 const UploadOptions& options);

// HEAD: true on 200, false on 404; any other answer is an io error naming url.
bool object_exists(const S3Config& config, const std::string& url);

}  // namespace esdb::remote
