// A growable byte buffer that, unlike std::string::resize, does not zero
// what it is about to overwrite: decompression targets are filled whole.
#pragma once

#include <cstddef>
#include <memory>

namespace esdb {

class Buffer {
 public:
  char* reserve(size_t n) {
    if (n > capacity_) {
      size_t c = capacity_ ? capacity_ : 4096;
      while (c < n) c *= 2;
      data_.reset(new char[c]);
      capacity_ = c;
    }
    return data_.get();
  }
  size_t capacity() const { return capacity_; }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
};

}  // namespace esdb
