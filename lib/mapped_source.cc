#include "mapped_source.h"

#include <sys/stat.h>

#include <boost/iostreams/device/mapped_file.hpp>
#include <cerrno>
#include <cstring>

#include "format/format.h"

namespace esdb::detail {

namespace {

class MappedSource final : public ByteSource {
 public:
  boost::iostreams::mapped_file_source map;
  // File::all covers the whole map; nothing reaches here.
  Window read(uint64_t offset, uint64_t n, uint64_t, uint64_t) const override {
    throw Error(Errc::io, "", offset, "read of " + std::to_string(n) + " bytes past the mapped file");
  }
};

}  // namespace

std::shared_ptr<File> open_mapped_file(const std::string& path) {
  auto f = std::make_shared<File>();
  f->path = path;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    throw Error(Errc::io, path, Error::kNoOffset, std::string("cannot open: ") + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) throw Error(Errc::io, path, Error::kNoOffset, "not a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const uint64_t min_size = format::kHeaderSize + format::kFooterSize;
  if (size < min_size) {
    throw Error(Errc::corrupt, path, 0,
                "file is " + std::to_string(size) + " bytes, shorter than the smallest esdb file (" +
                    std::to_string(min_size) + ")");
  }
  auto source = std::make_shared<MappedSource>();
  try {
    source->map.open(path);
  } catch (const std::exception& e) {
    throw Error(Errc::io, path, Error::kNoOffset, std::string("cannot map: ") + e.what());
  }
  if (source->map.size() != size) throw Error(Errc::io, path, Error::kNoOffset, "file changed size while opening");
  f->size = size;
  f->all = Window{source->map.data(), 0, size, nullptr};
  f->source = std::move(source);
  return f;
}

}  // namespace esdb::detail
