// An allocator for the columns of a large scan. Fresh memory costs one page
// fault per 4 KiB page when first written, and a scan's columns (tens of MB
// for a million events) are written once: on a virtual machine those faults
// cost more than the scan itself. Blocks of 4 MiB and more are therefore
// aligned to 2 MiB and marked for transparent huge pages (one fault per
// 2 MiB where the kernel allows it, as the default "madvise" mode does).
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace esdb::py {

inline void* big_alloc(size_t bytes) {
  constexpr size_t kHuge = size_t{2} << 20;
  if (bytes < 2 * kHuge) {
    if (void* p = std::malloc(bytes ? bytes : 1)) return p;
    throw std::bad_alloc();
  }
  const size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
  void* p = std::aligned_alloc(kHuge, rounded);
  if (!p) throw std::bad_alloc();
  madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure is harmless
  return p;
}

template <class T>
struct BigAllocator {
  using value_type = T;
  BigAllocator() = default;
  template <class U>
  BigAllocator(const BigAllocator<U>&) {}  // NOLINT: allocators convert implicitly
  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(big_alloc(n * sizeof(T)));
  }
  void deallocate(T* p, size_t) { std::free(p); }
  template <class U>
  bool operator==(const BigAllocator<U>&) const { return true; }
};

}  // namespace esdb::py
