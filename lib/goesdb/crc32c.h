// The checksum of Go ESDB's LevelDB-format table blocks:
//
//   c = crc32c(bytes)   (CRC-32C, Castagnoli polynomial 0x1EDC6F41)
//   masked = ((c >> 15) | (c << 17)) + 0xa282ead8
//
// The stored value sits in the 4 bytes right after the covered ones, which
// lets fuzz/trusting_crc32c.cc replace this file (its own object file, so the
// archive member is never pulled in) and take every stored value as correct.
#pragma once

#include <cstdint>
#include <string_view>

namespace esdb::goesdb {

uint32_t masked_crc32c(std::string_view bytes);

}  // namespace esdb::goesdb
