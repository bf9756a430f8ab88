#include "input.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/iostreams/device/file_descriptor.hpp>
#include <boost/iostreams/filter/bzip2.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/zstd.hpp>
#include <boost/iostreams/filtering_streambuf.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cli_error.h"

namespace esdb::cli {

namespace io = boost::iostreams;

struct LineReader::Source {
  io::filtering_streambuf<io::input> chain;
};

namespace {

// Reads start small (a short input, or each fuzzer run, should not pay for
// zeroing a large buffer) and double up to kMaxReadSize.
constexpr size_t kFirstReadSize = 64u << 10;
constexpr size_t kMaxReadSize = 1u << 20;
// Boost's chain buffers each link in 4 KiB by default: a read(2) per 4 KiB
// of input, ~24,000 system calls for 96 MiB of JSON lines.
constexpr std::streamsize kLinkBuffer = 64 << 10;

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

LineReader::LineReader(const std::string& path)
    : source_(std::make_unique<Source>()), name_(path == "-" ? "<stdin>" : path) {
  int fd = 0;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw input_error(path + ": cannot open: " + std::strerror(errno));
  }
  if (ends_with(path, ".gz")) source_->chain.push(io::gzip_decompressor(), kLinkBuffer);
  if (ends_with(path, ".bz2")) source_->chain.push(io::bzip2_decompressor(), kLinkBuffer);
  if (ends_with(path, ".zst")) source_->chain.push(io::zstd_decompressor(), kLinkBuffer);
  source_->chain.push(io::file_descriptor_source(fd, fd == 0 ? io::never_close_handle : io::close_handle), kLinkBuffer);
  buf_.resize(kFirstReadSize);  // never empty: next() scans buf_.data()
}

LineReader::~LineReader() = default;

bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {  // keep the partial line, drop what was handed out
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  read_size_ = read_size_ == 0 ? kFirstReadSize : std::min(2 * read_size_, kMaxReadSize);
  if (buf_.size() - end_ < read_size_) buf_.resize(end_ + read_size_);
  std::streamsize got;
  try {
    got = source_->chain.sgetn(buf_.data() + end_, static_cast<std::streamsize>(read_size_));
  } catch (const std::exception& e) {
    throw input_error(name_ + ": after byte " + std::to_string(bytes_read_) +
                      ": cannot read or decompress: " + e.what());
  }
  if (got <= 0) {
    eof_ = true;
    return false;
  }
  end_ += static_cast<size_t>(got);
  bytes_read_ += static_cast<uint64_t>(got);
  return true;
}

bool LineReader::next(std::string_view& line) {
  size_t scanned = begin_;  // bytes before this have no '\n'
  while (true) {
    const char* nl = static_cast<const char*>(std::memchr(buf_.data() + scanned, '\n', end_ - scanned));
    size_t stop;
    if (nl != nullptr) {
      stop = static_cast<size_t>(nl - buf_.data());
    } else {
      if (end_ - begin_ > kMaxLine) {
        throw input_error(name_ + ":" + std::to_string(line_number_ + 1) + ": line longer than " +
                          std::to_string(kMaxLine) + " bytes");
      }
      const size_t offset = end_ - begin_;
      if (fill()) {
        scanned = begin_ + offset;
        continue;
      }
      if (begin_ == end_) return false;
      stop = end_;  // a last line without '\n'
    }
    line = std::string_view(buf_.data() + begin_, stop - begin_);
    begin_ = stop < end_ ? stop + 1 : stop;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (++line_number_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    return true;
  }
}

// memchr from line to line: std::count's byte loop cost ~3 instructions a
// byte, 11% of a parsing thread (BENCHMARKS.md "Build speed, part 3").
static uint64_t count_newlines(const char* p, const char* end) {
  uint64_t n = 0;
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))) != nullptr) {
    ++n;
    ++p;
  }
  return n;
}

bool LineReader::next_block(std::vector<char>& block, size_t& size, size_t padding) {
  size_t scanned = 0;  // bytes of [begin_, end_) known to hold no '\n'
  const char* nl = nullptr;
  while (true) {
    const size_t have = end_ - begin_;
    if (have >= kBlockSize || eof_) {
      nl = static_cast<const char*>(memrchr(buf_.data() + begin_ + scanned, '\n', have - scanned));
      if (nl != nullptr || eof_) break;
      scanned = have;
    }
    if (have > kMaxLine) {
      throw input_error(name_ + ":" + std::to_string(line_number_ + 1) + ": line longer than " +
                        std::to_string(kMaxLine) + " bytes");
    }
    fill();
  }
  if (begin_ == end_) return false;
  if (begin_ > 0) {
    const size_t offset = nl == nullptr ? 0 : static_cast<size_t>(nl - buf_.data()) - begin_;
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    if (nl != nullptr) nl = buf_.data() + offset;
  }
  const size_t cut = nl == nullptr ? end_ : static_cast<size_t>(nl - buf_.data()) + 1;
  // The block takes the buffer; the partial line after it moves to the
  // block's old storage, which becomes the buffer.
  block.swap(buf_);
  if (buf_.size() < std::max(end_ - cut, kFirstReadSize)) buf_.resize(std::max(end_ - cut, kFirstReadSize));
  if (end_ > cut) std::memcpy(buf_.data(), block.data() + cut, end_ - cut);
  end_ -= cut;
  size = cut;
  if (block.size() < size + 1 + padding) block.resize(size + 1 + padding);
  if (block[size - 1] != '\n') block[size++] = '\n';
  if (line_number_ == 0 && std::string_view(block.data(), size).starts_with("\xEF\xBB\xBF")) {
    std::memset(block.data(), ' ', 3);
  }
  line_number_ += count_newlines(block.data(), block.data() + size);
  return true;
}

}  // namespace esdb::cli
