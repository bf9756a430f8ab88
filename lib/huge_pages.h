// Large buffers the kernel may back with 2 MiB pages. A build touches its
// whole sort budget again and again; with 4 KiB pages that is one page
// fault per 4 KiB (a third of `esdb build`'s CPU time was the kernel's, in a
// VM where a fault costs microseconds). Transparent huge pages are often
// set to "madvise", so the buffers have to ask for them.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>

namespace esdb {

inline constexpr size_t kHugePage = size_t{2} << 20;

// n bytes from operator new (so heap accounting sees them), 2 MiB aligned
// and advised for huge pages when n is at least one huge page.
inline void* allocate_maybe_huge(size_t n) {
  if (n < kHugePage) return ::operator new(n);
  void* p = ::operator new(n, std::align_val_t(kHugePage));
  ::madvise(p, n & ~(kHugePage - 1), MADV_HUGEPAGE);  // advice only: failure is harmless
  return p;
}

// The unsized forms: clang declares sized operator delete only with
// -fsized-deallocation, which the sanitizer build does not pass.
inline void free_maybe_huge(void* p, size_t n) {
  if (n < kHugePage) {
    ::operator delete(p);
  } else {
    ::operator delete(p, std::align_val_t(kHugePage));
  }
}

// For a std::vector that grows large (the sort buffer's entries).
template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(allocate_maybe_huge(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { free_maybe_huge(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
};

}  // namespace esdb
