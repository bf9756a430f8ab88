#include "zstd_dictionary.h"

#include <algorithm>
#include <zdict.h>

#include "format/format.h"

namespace esdb {

static constexpr size_t kMaxSampleBytes = 2 << 20;

size_t dictionary_sample_bytes(size_t size) { return std::min(kMaxSampleBytes, 100 * size); }

// What the samples take in the file with `codec`, by the writer's own rule
// (compress_payload keeps a frame only where it pays).
static uint64_t stored_size(const std::vector<std::string_view>& samples, const Codec& codec) {
  uint64_t total = 0;
  std::string out;
  for (std::string_view s : samples) {
    total += compress_payload(s, codec, out) == format::kRawBlock ? s.size() : out.size();
  }
  return total;
}

DictionaryChoice choose_dictionary(const std::vector<std::string_view>& samples, size_t size, int level) {
  std::string joined;
  std::vector<size_t> sizes;
  for (std::string_view s : samples) {
    if (joined.size() >= kMaxSampleBytes) break;
    s = s.substr(0, kMaxSampleBytes - joined.size());
    joined.append(s);
    sizes.push_back(s.size());
  }
  if (size == 0 || joined.size() < 8 * size) return {};
  std::string dict(size, '\0');
  size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), joined.data(), sizes.data(),
                                   static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) return {};  // too few or too uniform samples: no dictionary
  dict.resize(n);
  Codec with{Compression::zstd, level, load_compress_dictionary(dict, level)};
  if (!with.dictionary) return {};
  const uint64_t plain = stored_size(samples, Codec{Compression::zstd, level});
  const uint64_t coded = stored_size(samples, with) + dict.size() + format::kBlockTrailerSize;
  if (coded > plain - plain / 32) return {};
  return {std::move(dict), std::move(with.dictionary)};
}

}  // namespace esdb
