// Physical limits for a full scan: Snappy decompression of the event data
// in file order, and memcpy of the uncompressed bytes. Figures are MB/s of
// event data produced.
//
// Two ways of cutting the data into Snappy blocks: "continuous" cuts the
// whole (key, time)-ordered stream every chunk_size bytes, ignoring keys (the
// best case for Snappy: few, full blocks); "per key" cuts as esdb does, at
// every key and group boundary and before a block would pass chunk_size, so
// a key with three events is one small block. The per-key blocks are also
// measured with zstd (the reference for the zstd file).
#pragma once

#include <cstdint>

#include "dataset.h"

namespace esdb::bench {

struct Reference {
  uint64_t chunk_size = 0;
  uint64_t raw_bytes = 0;         // event data bytes, in (key, time) order
  uint64_t compressed_bytes = 0;  // their Snappy blocks, continuous
  uint64_t blocks = 0;
  double snappy_mb_s = 0;         // decompression, continuous blocks, best of `runs`
  uint64_t per_key_compressed_bytes = 0;
  uint64_t per_key_blocks = 0;
  double snappy_per_key_mb_s = 0; // decompression, per-key blocks, best of `runs`
  double memcpy_mb_s = 0;         // best of `runs`
  // The per-key blocks again, each one zstd frame at `zstd_level` (the
  // zstd file's level), decompressed with one reused context: what an
  // esdb-zstd full scan is held to (issue #12).
  int zstd_level = 0;
  uint64_t zstd_per_key_compressed_bytes = 0;
  double zstd_per_key_mb_s = 0;   // best of `runs`
};

Reference measure_reference(const Dataset& d, uint64_t chunk_size, int zstd_level, int runs);

}  // namespace esdb::bench
