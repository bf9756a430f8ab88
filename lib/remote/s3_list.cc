#include "remote/s3_list.h"

#include <fnmatch.h>

#include <algorithm>
#include <pugixml.hpp>

#include "esdb/error.h"
#include "esdb/remote.h"
#include "remote/s3_url.h"

namespace esdb::remote {

std::string s3_error_text(const Response& response) {
  std::string text = "HTTP " + std::to_string(response.status);
  pugi::xml_document doc;
  if (!response.body.empty() && doc.load_buffer(response.body.data(), response.body.size())) {
    const pugi::xml_node error = doc.child("Error");
    const std::string code = error.child_value("Code"), message = error.child_value("Message");
    if (!code.empty()) text += " " + code;
    if (!message.empty()) text += ": " + message;
  }
  return text;
}

std::vector<S3Object> list_objects(const S3Config& config, const std::string& bucket,
                                   const ListOptions& options, const std::string& url) {
  std::vector<S3Object> objects;
  std::string token;
  // A bound on pages, against a server that hands the same token back forever.
  for (int page = 0; page < 1000000; ++page) {
    // Parameters in byte order: the canonical query string SigV4 signs.
    std::string query;
    if (!token.empty()) query += "continuation-token=" + uri_escape(token, false) + "&";
    if (!options.delimiter.empty()) query += "delimiter=" + uri_escape(options.delimiter, false) + "&";
    query += "list-type=2&max-keys=" + std::to_string(options.max_keys);
    query += "&prefix=" + uri_escape(options.prefix, false);
    const Response r = perform({.url = s3_http_url(config, {bucket, ""}) + "?" + query, .sign = &config, .name = url});
    if (r.status != 200) throw Error(Errc::io, url, Error::kNoOffset, "cannot list objects: " + s3_error_text(r));

    pugi::xml_document doc;
    if (!doc.load_buffer(r.body.data(), r.body.size()))
      throw Error(Errc::io, url, Error::kNoOffset, "the object listing is not XML");
    const pugi::xml_node result = doc.child("ListBucketResult");
    if (!result) throw Error(Errc::io, url, Error::kNoOffset, "the object listing has no ListBucketResult");
    for (const pugi::xml_node c : result.children("Contents"))
      objects.push_back({c.child_value("Key"), c.child("Size").text().as_ullong()});
    const bool truncated = std::string_view(result.child_value("IsTruncated")) == "true";
    const std::string next = result.child_value("NextContinuationToken");
    if (!truncated) break;
    if (next.empty() || next == token)
      throw Error(Errc::io, url, Error::kNoOffset, "the object listing is truncated but gives no new continuation token");
    token = next;
  }
  // S3 lists in UTF-8 binary order already; sorting makes it so whatever the store.
  std::sort(objects.begin(), objects.end(), [](const S3Object& a, const S3Object& b) { return a.key < b.key; });
  return objects;
}

}  // namespace esdb::remote

namespace esdb {

bool is_url(std::string_view path) { return remote::is_remote_url(path); }

bool is_s3_pattern(std::string_view url) {
  if (!remote::is_s3_url(url)) return false;
  const size_t slash = url.rfind('/');
  return slash >= 5 && url.find_first_of("*?[", slash) != std::string_view::npos;
}

std::vector<std::string> expand_s3_pattern(const std::string& url) {
  const remote::S3Location where = remote::parse_s3_url(url);
  const size_t slash = where.key.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : where.key.substr(0, slash + 1);
  const std::string pattern = where.key.substr(dir.size());
  if (dir.find_first_of("*?[") != std::string::npos)
    throw Error(Errc::invalid_argument, url, Error::kNoOffset,
                "a pattern may only be in the last path component of an s3:// URL");
  if (pattern.find_first_of("*?[") == std::string::npos) return {url};
  // List from the literal start of the pattern, one "directory" level only.
  const std::string literal = pattern.substr(0, pattern.find_first_of("*?["));
  const remote::S3Config config = remote::S3Config::from_environment();
  std::vector<std::string> urls;
  for (const remote::S3Object& o :
       remote::list_objects(config, where.bucket, {.prefix = dir + literal, .delimiter = "/"}, url)) {
    const std::string name = o.key.substr(dir.size());
    if (::fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD) == 0)
      urls.push_back("s3://" + where.bucket + "/" + o.key);
  }
  return urls;
}

}  // namespace esdb
