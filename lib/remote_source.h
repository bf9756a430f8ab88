// A file read over HTTP in ranges (http://, https://, and s3:// through the
// same client, signed). The request plan (SPEC.md "Remote reads"):
//   open:   GET Range: bytes=-tail_bytes  -> size, ETag, footer and the
//           structures near the end; a smaller file comes whole
//   lookup: GET the 64-byte bucket; on a hash match GET the key dir together
//           with up to lookback_bytes before it (the key's chunks, posting
//           blocks and index block), so a scan of it needs nothing more.
// Every later request carries If-Match with the ETag of the first, and every
// answer must be a 206 whose Content-Range and body length are exactly the
// range asked: anything else is an io error naming the URL, never bytes used.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "byte_source.h"
#include "file.h"
#include "range_cache.h"
#include "remote/http.h"

namespace esdb::detail {

// Sends one request (retries inside); remote::perform, or a test's fake.
using Transport = std::function<remote::Response(const remote::Request&, const remote::RetryPolicy&)>;

class RemoteSource final : public ByteSource {
 public:
  RemoteSource(std::string url, const ReaderOptions& options, Transport transport);
  // GETs the tail of the file; returns it (the whole file when it is small).
  Window open_tail();
  uint64_t size() const { return size_; }

  Window read(uint64_t offset, uint64_t n, uint64_t fetch_lo, uint64_t fetch_hi) const override;
  TransferStats transfer_stats() const override { return {requests_.load(), bytes_.load()}; }

 private:
  remote::Request request() const;
  remote::Response send(const remote::Request& r, uint64_t offset) const;
  Window fetch(uint64_t lo, uint64_t hi) const;
  [[noreturn]] void fail(uint64_t offset, const std::string& what) const;

  std::string url_;        // as given (errors name it)
  std::string http_url_;   // what is requested
  remote::S3Config s3_;
  bool sign_ = false;
  uint64_t tail_bytes_;
  remote::RetryPolicy policy_;
  Transport transport_;
  uint64_t size_ = 0;
  std::string etag_;  // pinned by the first answer; "" if the server sends none
  mutable RangeCache cache_;
  std::string ca_file_;  // https: ReaderOptions::ca_file
  mutable std::atomic<uint64_t> requests_{0};
  mutable std::atomic<uint64_t> bytes_{0};
};

// Opens `url` with one request; the footer is checked by make_reader().
std::shared_ptr<File> open_remote_file(const std::string& url, const ReaderOptions& options,
                                       Transport transport = {});

}  // namespace esdb::detail
