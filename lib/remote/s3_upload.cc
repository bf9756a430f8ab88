#include "remote/s3_upload.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <pugixml.hpp>
#include <vector>

#include "esdb/error.h"
#include "remote/s3_list.h"
#include "remote/s3_url.h"

namespace esdb::remote {
namespace {

struct LocalFile {
  int fd = -1;
  uint64_t size = 0;
  LocalFile(const std::string& path, const std::string& url) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || ::fstat(fd, &st) != 0)
      throw Error(Errc::io, url, Error::kNoOffset, "cannot read the local file to upload, " + path + ": " + std::strerror(errno));
    size = static_cast<uint64_t>(st.st_size);
  }
  ~LocalFile() {
    if (fd >= 0) ::close(fd);
  }
  std::string read(uint64_t offset, uint64_t length, const std::string& url) const {
    std::string bytes(length, '\0');
    uint64_t done = 0;
    while (done < length) {
      const ssize_t n = ::pread(fd, bytes.data() + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw Error(Errc::io, url, offset + done, "cannot read the local file to upload");
      done += static_cast<uint64_t>(n);
    }
    return bytes;
  }
};

[[noreturn]] void refused(const std::string& url, const std::string& what, const Response& r) {
  throw Error(Errc::io, url, Error::kNoOffset, what + ": " + s3_error_text(r));
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

class MultipartUpload {
 public:
  MultipartUpload(const S3Config& config, const std::string& object_url, const std::string& url)
      : config_(config), object_url_(object_url), url_(url) {
    // "uploads=" rather than "uploads": the form SigV4's canonical query has.
    const Response r = perform({.method = "POST", .url = object_url_ + "?uploads=", .sign = &config_, .name = url_});
    pugi::xml_document doc;
    if (r.status == 200 && doc.load_buffer(r.body.data(), r.body.size()))
      upload_id_ = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
    if (upload_id_.empty()) refused(url_, "cannot start a multipart upload", r);
  }

  void put_part(int number, std::string bytes) {
    const Response r = perform({.method = "PUT",
                                .url = object_url_ + "?partNumber=" + std::to_string(number) + "&uploadId=" + id(),
                                .body = std::move(bytes),
                                .sign = &config_,
                                .name = url_});
    if (r.status != 200) refused(url_, "part " + std::to_string(number) + " was refused", r);
    const auto etag = r.headers.find("etag");
    if (etag == r.headers.end() || etag->second.empty())
      throw Error(Errc::io, url_, Error::kNoOffset, "part " + std::to_string(number) + " was stored without an ETag");
    etags_.push_back(etag->second);
  }

  void complete() {
    std::string body = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < etags_.size(); ++i)
      body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + xml_escape(etags_[i]) +
              "</ETag></Part>";
    body += "</CompleteMultipartUpload>";
    const Response r = perform({.method = "POST",
                                .url = object_url_ + "?uploadId=" + id(),
                                .headers = {"Content-Type: application/xml"},
                                .body = body,
                                .sign = &config_,
                                .name = url_});
    // S3 may answer 200 and still fail, with an <Error> body.
    pugi::xml_document doc;
    const bool parsed = doc.load_buffer(r.body.data(), r.body.size());
    if (r.status != 200 || !parsed || !doc.child("CompleteMultipartUploadResult"))
      refused(url_, "the multipart upload could not be completed", r);
    upload_id_.clear();
  }

  // Best effort: the upload failed already, and that error is the one to tell.
  ~MultipartUpload() {
    if (upload_id_.empty()) return;
    try {
      perform({.method = "DELETE", .url = object_url_ + "?uploadId=" + id(), .sign = &config_, .name = url_});
    } catch (const Error&) {
    }
  }

 private:
  std::string id() const { return uri_escape(upload_id_, false); }

  const S3Config& config_;
  std::string object_url_;
  const std::string& url_;
  std::string upload_id_;
  std::vector<std::string> etags_;
};

}  // namespace

void upload_file(const S3Config& config, const std::string& url, const std::string& local_path,
                 const UploadOptions& options) {
  const S3Location where = parse_s3_url(url);
  if (where.key.empty() || where.key.back() == '/')
    throw Error(Errc::invalid_argument, url, Error::kNoOffset, "an s3:// destination needs an object key");
  if (options.part_size == 0) throw Error(Errc::invalid_argument, url, Error::kNoOffset, "part size must be > 0");
  const std::string object_url = s3_http_url(config, where);
  const LocalFile file(local_path, url);

  if (file.size <= options.part_size) {
    if (options.before_part) options.before_part(1);
    const Response r = perform(
        {.method = "PUT", .url = object_url, .body = file.read(0, file.size, url), .sign = &config, .name = url});
    if (r.status != 200) refused(url, "the upload was refused", r);
    return;
  }
  const uint64_t part_size = std::max(options.part_size, (file.size + kMaxParts - 1) / kMaxParts);
  MultipartUpload upload(config, object_url, url);
  int number = 1;
  for (uint64_t offset = 0; offset < file.size; offset += part_size, ++number) {
    if (options.before_part) options.before_part(number);
    upload.put_part(number, file.read(offset, std::min(part_size, file.size - offset), url));
  }
  upload.complete();
}

bool object_exists(const S3Config& config, const std::string& url) {
  const Response r = perform({.method = "HEAD", .url = s3_http_url(config, parse_s3_url(url)), .sign = &config, .name = url});
  if (r.status == 200) return true;
  if (r.status == 404) return false;
  refused(url, "cannot tell whether the object exists", r);
}

}  // namespace esdb::remote
