// The writer's choice of a per-file zstd dictionary (SPEC.md, "zstd
// dictionary"): trained on the first chunk payloads in file order, kept
// only if it pays on them.
//
// Small chunks (most keys hold a few KiB of events) are where zstd spends
// most of each frame on its own entropy tables and has no history to match
// against; a dictionary gives every frame both. On full 32 KiB chunks it
// saves about what it costs, so the writer measures before it keeps one.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "codec.h"

namespace esdb {

// Payload bytes to collect before training for a dictionary of `size`
// bytes: about 100 x its size (what ZDICT wants), at most 2 MiB, so the
// chunks held meanwhile stay within the block pipeline's in-flight bytes.
size_t dictionary_sample_bytes(size_t size);

struct DictionaryChoice {
  std::string bytes;  // the dictionary block's payload; empty: no dictionary
  CompressDictionary compress;
};

// Trains a dictionary of up to `size` bytes on `samples` (the stored
// pieces: a chunk's payload, or each of its sub-blocks) and keeps it if the
// samples compressed at `level` with it, plus the dictionary block, take at
// most 31/32 of their size without it. Fewer than 8 x `size` sample bytes
// never train: a small file gets no dictionary (and keeps its bytes).
// Deterministic: the same samples give the same bytes.
DictionaryChoice choose_dictionary(const std::vector<std::string_view>& samples, size_t size, int level);

}  // namespace esdb
