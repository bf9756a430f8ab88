#include "remote/s3_url.h"

#include "esdb/error.h"

namespace esdb::remote {
namespace {

// 3..63 lower-case letters, digits, '.' and '-' (AWS's bucket naming rules,
// loosely): anything else cannot be put in a host name or a path unescaped.
bool valid_bucket(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  return true;
}

}  // namespace

S3Location parse_s3_url(const std::string& url) {
  if (!is_s3_url(url)) throw Error(Errc::invalid_argument, url, Error::kNoOffset, "not an s3:// URL");
  const std::string_view rest = std::string_view(url).substr(5);
  const size_t slash = rest.find('/');
  S3Location where;
  where.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) where.key = std::string(rest.substr(slash + 1));
  if (!valid_bucket(where.bucket))
    throw Error(Errc::invalid_argument, url, Error::kNoOffset,
                "not a valid S3 bucket name: '" + where.bucket + "' (expected s3://BUCKET/KEY)");
  return where;
}

std::string uri_escape(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string s3_http_url(const S3Config& config, const S3Location& where) {
  const std::string key = uri_escape(where.key, true);
  if (!config.endpoint.empty()) return config.endpoint + "/" + where.bucket + "/" + key;
  // A dotted bucket name would not match the wildcard TLS certificate of a
  // virtual host: AWS serves it path-style.
  if (where.bucket.find('.') != std::string::npos)
    return "https://s3." + config.region + ".amazonaws.com/" + where.bucket + "/" + key;
  return "https://" + where.bucket + ".s3." + config.region + ".amazonaws.com/" + key;
}

}  // namespace esdb::remote
