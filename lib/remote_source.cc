#include "remote_source.h"

#include <algorithm>
#include <charconv>

#include "remote/s3_url.h"

namespace esdb::detail {

namespace {

struct ContentRange {
  uint64_t first = 0, last = 0, total = 0;
};

bool parse_number(std::string_view& s, uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p == s.data()) return false;
  s.remove_prefix(static_cast<size_t>(p - s.data()));
  return true;
}

// "bytes FIRST-LAST/TOTAL"; a "*" total (unknown) does not parse.
bool parse_content_range(std::string_view s, ContentRange& out) {
  if (!s.starts_with("bytes ")) return false;
  s.remove_prefix(6);
  if (!parse_number(s, out.first) || !s.starts_with('-')) return false;
  s.remove_prefix(1);
  if (!parse_number(s, out.last) || !s.starts_with('/')) return false;
  s.remove_prefix(1);
  if (!parse_number(s, out.total) || !s.empty()) return false;
  return out.first <= out.last && out.last < out.total;
}

std::string header(const remote::Response& r, const char* name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

}  // namespace

RemoteSource::RemoteSource(std::string url, const ReaderOptions& options, Transport transport)
    : url_(std::move(url)),
      http_url_(url_),
      tail_bytes_(std::max<uint64_t>(options.tail_bytes, 128)),
      transport_(std::move(transport)),
      cache_(options.cache_bytes),
      ca_file_(options.ca_file) {
  policy_.attempts = options.attempts < 1 ? 1 : options.attempts;
  policy_.request_timeout = std::chrono::milliseconds(options.timeout_ms);
  policy_.connect_timeout = std::chrono::milliseconds(options.connect_timeout_ms);
  if (remote::is_s3_url(url_)) {
    s3_ = remote::S3Config::from_environment();
    http_url_ = remote::s3_http_url(s3_, remote::parse_s3_url(url_));
    sign_ = true;
  }
  if (!transport_) transport_ = [](const remote::Request& r, const remote::RetryPolicy& p) { return remote::perform(r, p); };
}

void RemoteSource::fail(uint64_t offset, const std::string& what) const {
  throw Error(Errc::io, url_, offset, what);
}

remote::Request RemoteSource::request() const {
  remote::Request r;
  r.url = http_url_;
  r.ca_file = ca_file_;
  if (sign_) r.sign = &s3_;
  // The object must be the one opened: a replaced object answers 412.
  if (!etag_.empty()) r.headers.push_back("If-Match: " + etag_);
  return r;
}

remote::Response RemoteSource::send(const remote::Request& r, uint64_t offset) const {
  requests_.fetch_add(1, std::memory_order_relaxed);
  remote::Response resp;
  try {
    resp = transport_(r, policy_);
  } catch (const Error& e) {
    throw Error(Errc::io, url_, offset, e.detail());
  }
  bytes_.fetch_add(resp.body.size(), std::memory_order_relaxed);
  if (resp.status == 412) fail(offset, "the object changed since it was opened (ETag " + etag_ + " no longer matches)");
  if (resp.status == 404) fail(offset, "not found (HTTP 404)");
  if (resp.status == 200) fail(offset, "the server ignored the range request (200 where 206 was asked)");
  if (resp.status != 206) fail(offset, "HTTP " + std::to_string(resp.status) + " where 206 was asked");
  const std::string etag = header(resp, "etag");
  if (!etag_.empty() && etag != etag_) {
    fail(offset, "the object changed since it was opened (ETag " + etag_ + " became " + (etag.empty() ? "none" : etag) + ")");
  }
  return resp;
}

Window RemoteSource::open_tail() {
  remote::Request r = request();
  // A suffix range: the size is not known yet, and the tail alone holds it.
  r.headers.push_back("Range: bytes=-" + std::to_string(tail_bytes_));
  r.max_body = tail_bytes_;
  remote::Response resp;
  try {
    resp = send(r, Error::kNoOffset);
  } catch (const Error& e) {
    throw Error(Errc::io, url_, Error::kNoOffset, "cannot open: " + e.detail());
  }
  ContentRange cr;
  if (!parse_content_range(header(resp, "content-range"), cr)) {
    fail(Error::kNoOffset, "bad Content-Range \"" + header(resp, "content-range") + "\" for the file's tail");
  }
  if (cr.last + 1 != cr.total || cr.total - cr.first != std::min(cr.total, tail_bytes_)) {
    fail(cr.first, "Content-Range \"" + header(resp, "content-range") + "\" is not the tail asked for");
  }
  if (resp.body.size() != cr.total - cr.first) {
    fail(cr.first, "body of " + std::to_string(resp.body.size()) + " bytes for a range of " +
                       std::to_string(cr.total - cr.first));
  }
  size_ = cr.total;
  etag_ = header(resp, "etag");
  auto body = std::make_shared<const std::string>(std::move(resp.body));
  return Window{body->data(), cr.first, cr.total, body};
}

Window RemoteSource::fetch(uint64_t lo, uint64_t hi) const {
  remote::Request r = request();
  r.range = {lo, hi - 1};
  remote::Response resp = send(r, lo);
  ContentRange cr;
  const std::string got = header(resp, "content-range");
  if (!parse_content_range(got, cr) || cr.first != lo || cr.last != hi - 1 || cr.total != size_) {
    fail(lo, "Content-Range \"" + got + "\" where bytes " + std::to_string(lo) + "-" + std::to_string(hi - 1) + "/" +
                 std::to_string(size_) + " were asked");
  }
  if (resp.body.size() != hi - lo) {
    fail(lo, "body of " + std::to_string(resp.body.size()) + " bytes for a range of " + std::to_string(hi - lo));
  }
  auto body = std::make_shared<const std::string>(std::move(resp.body));
  return Window{body->data(), lo, hi, body};
}

Window RemoteSource::read(uint64_t offset, uint64_t n, uint64_t fetch_lo, uint64_t fetch_hi) const {
  Window w;
  if (cache_.find(offset, n, w)) return w;
  // Callers bound their ranges by the file's sections; clamp anyway so a
  // hostile offset asks for nothing past the end.
  fetch_lo = std::min(fetch_lo, offset);
  fetch_hi = std::min(std::max(fetch_hi, offset + n), size_);
  if (offset > size_ || n > size_ - offset || fetch_hi <= fetch_lo) {
    fail(offset, "range of " + std::to_string(n) + " bytes lies past the end of the file");
  }
  w = fetch(fetch_lo, fetch_hi);
  cache_.insert(w);
  return w;
}

std::shared_ptr<File> open_remote_file(const std::string& url, const ReaderOptions& options, Transport transport) {
  auto source = std::make_shared<RemoteSource>(url, options, std::move(transport));
  auto f = std::make_shared<File>();
  f->path = url;
  f->options = options;
  f->tail = source->open_tail();
  f->size = source->size();
  if (f->tail.begin == 0) f->all = f->tail;
  f->source = std::move(source);
  return f;
}

}  // namespace esdb::detail
