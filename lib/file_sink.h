// The output side of a Writer: a temporary file beside the destination that
// becomes the destination only on commit(). Until then nothing is at the
// destination path; abandon() (or the destructor) removes the temporary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace esdb {

class FileSink {
 public:
  // Creates "<dir>/.<name>.esdb-tmp.XXXXXX" for the destination `path`.
  // s3_part_size: WriterOptions::s3_part_size, for s3:// destinations.
  FileSink(const std::string& path, bool overwrite, bool sync, uint64_t s3_part_size = 16u << 20);
  ~FileSink();
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  void append(std::string_view bytes);
  uint64_t offset() const { return offset_; }
  const std::string& path() const { return path_; }
  // Footer required flags the bytes written so far need (block types).
  void require_flags(uint32_t flags) { required_flags_ |= flags; }
  uint32_t required_flags() const { return required_flags_; }

  // Flushes, fsyncs and renames into place; refuses to replace an existing
  // file unless overwrite was asked for.
  void commit();
  void abandon();

 private:
  void flush();
  void upload();
  void write_out(std::string_view bytes);
  [[noreturn]] void fail(const std::string& what, int err) const;

  std::string path_;
  std::string temp_path_;
  bool overwrite_;
  bool sync_;
  bool s3_ = false;  // path_ is an s3:// URL
  uint64_t s3_part_size_;
  int fd_ = -1;
  uint64_t offset_ = 0;
  uint32_t required_flags_ = 0;
  std::string buffer_;
};

// An anonymous temporary file beside `near_path` for sorted runs: it has no
// name (O_TMPFILE, or unlinked at once where that is missing), so it
// vanishes however the process ends.
int open_anonymous_temp(const std::string& near_path);

}  // namespace esdb
