// The switch of fuzz/trusting_crc32c.cc: while set, Go ESDB table checksums
// are trusted.
#pragma once

namespace esdb::fuzz {
inline bool trust_crc32c = false;
}  // namespace esdb::fuzz
