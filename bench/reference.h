// Physical limits for a full scan: Snappy decompression of the same bytes
// cut into chunks the way esdb cuts them, and memcpy of the uncompressed
// bytes. Figures are MB/s of event data produced.
#pragma once

#include <cstdint>

#include "dataset.h"

namespace esdb::bench {

struct Reference {
  uint64_t chunk_size = 0;
  uint64_t raw_bytes = 0;         // event data bytes, in (key, time) order
  uint64_t compressed_bytes = 0;  // their Snappy chunks
  double snappy_mb_s = 0;         // decompression, best of `runs`
  double memcpy_mb_s = 0;         // best of `runs`
};

Reference measure_reference(const Dataset& d, uint64_t chunk_size, int runs);

}  // namespace esdb::bench
