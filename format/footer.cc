#include "format/footer.h"

#include "format/checksum.h"
#include "format/coding.h"
#include "format/format.h"

namespace esdb::format {

void Footer::encode(std::string& out, uint64_t offset) const {
  size_t start = out.size();
  for (uint64_t v : {key_table_offset, key_count, hash_table_offset, bucket_count, event_count,
                     chunk_count, data_bytes, raw_chunk_bytes, stored_chunk_bytes,
                     static_cast<uint64_t>(min_timestamp), static_cast<uint64_t>(max_timestamp)}) {
    put_fixed64(out, v);
  }
  put_fixed32(out, required_flags);
  put_fixed32(out, optional_flags);
  put_fixed64(out, dictionary_offset);
  out.append(8, '\0');
  put_fixed32(out, format_version);
  put_fixed32(out, checksum(out.data() + start, 116, offset));
  put_fixed64(out, kFooterMagic);
}

std::string Footer::decode(std::string_view b, uint64_t offset) {
  if (b.size() != kFooterSize) return "footer has the wrong size";
  const char* p = b.data();
  if (load_fixed64(p + 120) != kFooterMagic) return "bad footer magic (not an esdb file?)";
  format_version = load_fixed32(p + 112);
  // 0 was never written: damage, not a newer writer (Reader::open tells the
  // two apart by the words "not supported").
  if (format_version == 0) return "format version 0 is invalid (versions start at 1)";
  if (format_version > kFormatVersion) {
    return "format version " + std::to_string(format_version) + " is not supported (this library reads 1.." +
           std::to_string(kFormatVersion) + ")";
  }
  if (load_fixed32(p + 116) != checksum(p, 116, offset)) return "footer checksum mismatch";
  uint64_t* fields[] = {&key_table_offset, &key_count,        &hash_table_offset,
                        &bucket_count,     &event_count,      &chunk_count,
                        &data_bytes,       &raw_chunk_bytes,  &stored_chunk_bytes};
  for (int i = 0; i < 9; i++) *fields[i] = load_fixed64(p + 8 * i);
  min_timestamp = static_cast<int64_t>(load_fixed64(p + 72));
  max_timestamp = static_cast<int64_t>(load_fixed64(p + 80));
  required_flags = load_fixed32(p + 88);
  optional_flags = load_fixed32(p + 92);
  if (required_flags & ~kKnownRequiredFlags) return "footer has unknown required feature flags";
  if ((required_flags & kFlagZstdDictionary) && !(required_flags & kFlagCompactBlocks)) {
    return "footer sets the zstd dictionary flag without the compact-blocks flag";
  }
  // Without the flag the field is reserved: ignored, whatever it holds.
  dictionary_offset = (required_flags & kFlagZstdDictionary) ? load_fixed64(p + 96) : 0;
  if ((required_flags & kFlagZstdDictionary) && dictionary_offset == 0) return "footer names no zstd dictionary";
  return "";
}

}  // namespace esdb::format
