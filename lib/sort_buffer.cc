#include "sort_buffer.h"

#include <algorithm>
#include <cstring>

#include "format/coding.h"

namespace esdb {

// The first blocks are 1 MiB, so a small budget stays small; a buffer that
// grows past them continues in huge-page blocks.
static constexpr size_t kSmallBlocks = 8;
static size_t block_size(size_t blocks_held) { return blocks_held < kSmallBlocks ? size_t{1} << 20 : kHugePage; }

char* SortBuffer::allocate(size_t n) {
  if (n > arena_left_) {
    if (arena_used_ < arena_.size() && n <= arena_[arena_used_].get_deleter().size) {
      arena_left_ = arena_[arena_used_].get_deleter().size;
      arena_next_ = arena_[arena_used_++].get();
    } else {
      const size_t block = block_size(arena_.size());
      const size_t size = std::max(n, block);
      arena_.emplace(arena_.begin() + arena_used_, static_cast<char*>(allocate_maybe_huge(size)), FreeBlock{size});
      if (size > block) big_blocks_++;
      arena_next_ = arena_[arena_used_++].get();
      arena_left_ = size;
    }
  }
  buffered_ += n;
  char* p = arena_next_;
  arena_next_ += n;
  arena_left_ -= n;
  return p;
}

void SortBuffer::add(const EventInput& e) {
  scratch_.clear();
  format::put_varint(scratch_, e.indexes.size());
  for (const IndexEntry& x : e.indexes) {
    format::put_bytes(scratch_, x.name);
    format::put_bytes(scratch_, x.value);
  }
  format::put_varint(scratch_, e.data.size());
  size_t rest_len = scratch_.size() + e.data.size();
  char* p = allocate(e.key.size() + e.group.size() + rest_len);
  Entry entry{p, {0, 0}, e.timestamp, rest_len, static_cast<uint32_t>(e.key.size()),
              static_cast<uint32_t>(e.group.size()), static_cast<uint32_t>(entries_.size())};
  char prefix[16] = {};
  std::memcpy(prefix, e.key.data(), std::min<size_t>(16, e.key.size()));
  entry.prefix[0] = __builtin_bswap64(format::load_fixed64(prefix));
  entry.prefix[1] = __builtin_bswap64(format::load_fixed64(prefix + 8));
  std::memcpy(p, e.key.data(), e.key.size());
  p += e.key.size();
  // A default string_view has a null data(); memcpy from null is undefined
  // even for 0 bytes (UBSan stops there).
  if (!e.group.empty()) std::memcpy(p, e.group.data(), e.group.size());
  p += e.group.size();
  std::memcpy(p, scratch_.data(), scratch_.size());
  p += scratch_.size();
  if (!e.data.empty()) std::memcpy(p, e.data.data(), e.data.size());
  entries_.push_back(entry);
  buffered_ += sizeof(Entry);
  sorted_ = false;
}

// The sort's comparison, where most of a build's time goes: the key prefix
// settles most pairs without touching the (cache-cold) key bytes.
bool SortBuffer::before(const Entry& a, const Entry& b) {
  if (a.prefix[0] != b.prefix[0]) return a.prefix[0] < b.prefix[0];
  if (a.prefix[1] != b.prefix[1]) return a.prefix[1] < b.prefix[1];
  if (a.key_len > 16 || b.key_len > 16) {
    if (int c = a.key().compare(b.key())) return c < 0;
  } else if (a.key_len != b.key_len) {
    return a.key_len < b.key_len;
  }
  if (a.group_len | b.group_len) {
    if (int c = a.group().compare(b.group())) return c < 0;
  }
  if (a.ts != b.ts) return a.ts < b.ts;
  return a.seq < b.seq;
}

void SortBuffer::sort() {
  if (!sorted_) std::sort(entries_.begin(), entries_.end(), before);
  sorted_ = true;
}

void SortBuffer::reset() {
  entries_.clear();
  sorted_ = false;
  if (big_blocks_) {  // oversized blocks held single large events: free them
    arena_.clear();
    big_blocks_ = 0;
  }
  arena_used_ = 0;
  arena_left_ = 0;
  buffered_ = 0;
}

void SortBuffer::release() {
  reset();
  arena_.clear();
  arena_.shrink_to_fit();
  decltype(entries_)().swap(entries_);
}

}  // namespace esdb
