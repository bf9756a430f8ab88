// Reading build's inputs line by line: a file, or standard input for "-",
// decompressed on the fly when the name ends in .gz, .bz2 or .zst
// (Boost.Iostreams filters). Lines are handed out as views into one large
// buffer, so reading costs a memchr per line and no allocation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace esdb::cli {

class LineReader {
 public:
  // A line longer than this is an error: it is no record, and buffering it
  // could exhaust memory on a file with no line breaks.
  static constexpr size_t kMaxLine = 64u << 20;

  // Opens `path` ("-" = standard input). Throws CliError (exit 2) naming
  // the file when it cannot be opened.
  explicit LineReader(const std::string& path);
  ~LineReader();

  // The next line without its "\n" or "\r\n"; false at the end. The view is
  // valid until the next call. Throws CliError on read or decompression
  // errors and on over-long lines.
  bool next(std::string_view& line);

  // Bulk reading, instead of next(): hands out the next run of whole lines,
  // about kBlockSize bytes or one longer line: the first `size` bytes of
  // `block`, followed by at least `padding` more (simdjson reads beyond the
  // end). The last line gets a "\n" if the input lacks one, and a UTF-8 BOM
  // opening the input becomes spaces. The buffers are swapped, so only the
  // partial line at the end is copied. line_number() then counts the lines
  // handed out. False at the end of the input.
  static constexpr size_t kBlockSize = 256u << 10;
  bool next_block(std::vector<char>& block, size_t& size, size_t padding);

  uint64_t line_number() const { return line_number_; }  // of the last line, from 1
  uint64_t bytes_read() const { return bytes_read_; }     // decompressed bytes so far
  const std::string& name() const { return name_; }       // the path, or "<stdin>"

 private:
  bool fill();  // reads more input; false at the end

  struct Source;
  std::unique_ptr<Source> source_;
  std::string name_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;  // unread bytes are buf_[begin_, end_)
  size_t read_size_ = 0;
  bool eof_ = false;
  uint64_t line_number_ = 0;
  uint64_t bytes_read_ = 0;
};

}  // namespace esdb::cli
