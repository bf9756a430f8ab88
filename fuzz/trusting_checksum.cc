// Replaces format/checksum.cc; see trusting_checksum.h.
#include "fuzz/trusting_checksum.h"

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "format/checksum.h"
#include "format/coding.h"

namespace esdb::format {

uint32_t checksum(const char* data, size_t n, uint64_t offset) {
  if (fuzz::trust_checksums) return load_fixed32(data + n);
  return static_cast<uint32_t>(XXH3_64bits_withSeed(data, n, offset));
}

uint32_t checksum_parts(std::string_view a, std::string_view b, uint64_t offset) {
  // Readers pass the block type byte as `b`, a view into the file.
  if (fuzz::trust_checksums) return load_fixed32(b.data() + b.size());
  XXH3_state_t state;
  XXH3_INITSTATE(&state);
  XXH3_64bits_reset_withSeed(&state, offset);
  XXH3_64bits_update(&state, a.data(), a.size());
  XXH3_64bits_update(&state, b.data(), b.size());
  return static_cast<uint32_t>(XXH3_64bits_digest(&state));
}

uint64_t key_hash(std::string_view key) { return XXH3_64bits_withSeed(key.data(), key.size(), 0); }

}  // namespace esdb::format
