// The esdb file format vocabulary. SPEC.md is the truth; these constants
// match it section by section.
//
//   file     := header key_region* dictionary? key_table hash_table footer
//   header   := "ESDBv1\0\n"                                  (8 bytes)
//   block    := payload | type: u8 | checksum: u32            (5-byte trailer)
//   key_dir  := body_len: u32 | body | checksum: u32
//   footer   := fixed kFooterSize bytes at the very end
//
// Integers are little-endian. Every checksum is XXH3-64 seeded with the
// absolute file offset of the bytes it covers, truncated to 32 bits, so a
// well-formed block copied to the wrong place still fails its check.
#pragma once

#include <cstddef>
#include <cstdint>

namespace esdb::format {

inline constexpr char kHeaderMagic[8] = {'E', 'S', 'D', 'B', 'v', '1', '\0', '\n'};
inline constexpr uint64_t kHeaderSize = 8;
inline constexpr uint64_t kFooterMagic = 0x3142445345'000a0aULL;  // "\n\n\0ESDB1"

// Version rule: kFormatVersion is bumped only by an incompatible change; a
// reader opens every version <= its own. Compatible additions use flags.
inline constexpr uint32_t kFormatVersion = 1;
// Required flags: a reader refuses a file with a required flag it does not
// know. Optional flags: a reader ignores those it does not know.
// Bit 0: the file may hold zstd blocks and sub-block chunks (SPEC.md,
// "Compact blocks"). Set only when it does, so a file without them keeps the
// version 1 bytes and any version 1 reader opens it.
inline constexpr uint32_t kFlagCompactBlocks = 1;
// Bit 1: every zstd frame is coded with the file's one zstd dictionary, a
// raw block ending at key_table_offset whose offset is in the footer (SPEC.md,
// "zstd dictionary"). Only with bit 0: bit 1 alone is corrupt.
inline constexpr uint32_t kFlagZstdDictionary = 2;
// Bit 2: index entries may have a covering copy of their events, and every
// key dir lists its covered entries after chunks_end (SPEC.md, "Covered
// index entries"). Set by a writer with covered indexes, whether or not any
// entry turned out sparse enough to be covered.
inline constexpr uint32_t kFlagCoveredEntries = 4;
inline constexpr uint32_t kKnownRequiredFlags = kFlagCompactBlocks | kFlagZstdDictionary | kFlagCoveredEntries;

// Block types (the byte before a block's checksum).
enum BlockType : uint8_t {
  kRawBlock = 0,
  kSnappyBlock = 1,
  kZstdBlock = 2,       // kFlagCompactBlocks
  kSubBlockChunk = 3,   // kFlagCompactBlocks; chunks and cover blocks only
};
inline constexpr uint64_t kBlockTrailerSize = 5;
// Snappy cannot expand a payload by more than this factor (a 3-byte copy
// emits at most 64 bytes), so a larger claimed size is corruption, and an
// allocation is never more than this multiple of the bytes in the file.
inline constexpr uint64_t kMaxSnappyExpansion = 22;
// zstd can expand far more (an RLE block), so the writer never stores a zstd
// frame that expands more than this and the reader refuses one that claims to.
inline constexpr uint64_t kMaxZstdExpansion = 64;
// The dictionary block's payload: checked before anything is allocated for
// it. zstd's own magic opens it (a ZDICT dictionary, not raw content).
inline constexpr uint64_t kMaxDictionarySize = uint64_t{1} << 20;
inline constexpr uint32_t kZstdDictionaryMagic = 0xEC30A437;

// A sub-block chunk ends with a table of one entry per sub-block,
//   stored_end: u32 | event_end: u32 | codec: u8
// then sub_count: u32, before its block trailer.
inline constexpr uint64_t kSubEntrySize = 9;
inline constexpr uint64_t kSubCountSize = 4;

// Chunk directory entry in a key dir: offset u64, end_ordinal u64,
// first_ts i64, last_ts i64.
inline constexpr uint64_t kChunkEntrySize = 32;

// Index posting lists whose delta bytes exceed this are stored as their own
// block instead of inline in the index block.
inline constexpr uint64_t kMaxInlinePostingBytes = 128;
// A writer keeps at most this many bytes of covering copies per key while
// the key is written (an entry reached after that is not covered), so a
// key with many covered values holds bounded memory.
inline constexpr uint64_t kMaxCoverBytesPerKey = uint64_t{4} << 20;

// Key table: pages of up to kKeyTablePageKeys u64 key-dir offsets, each page
// followed by its u32 checksum.
inline constexpr uint64_t kKeyTablePageKeys = 512;

// Hash table: bucket_count buckets of kBucketSize bytes:
//   4 x slot(hash: u64, key_dir_offset: u48) | used: u8 | 3 zero bytes | checksum: u32
inline constexpr uint64_t kBucketSize = 64;
inline constexpr uint64_t kSlotsPerBucket = 4;
inline constexpr uint64_t kSlotSize = 14;
// bucket_count = ceil(keys / kKeysPerBucket). Half-full buckets keep a hit at
// ~1.05 bucket reads on average (3 keys per bucket would give 1.27) for 32
// bytes per key; tests/format_test.cc measures it.
inline constexpr uint64_t kKeysPerBucket = 2;

inline constexpr uint64_t kFooterSize = 128;

// Limits.
inline constexpr uint64_t kMaxKeySize = 65535;
inline constexpr uint64_t kMaxGroupSize = 65535;
inline constexpr uint64_t kMaxIndexNameSize = 65535;
inline constexpr uint64_t kMaxIndexValueSize = 65535;
inline constexpr uint64_t kMaxIndexesPerEvent = 65535;
inline constexpr uint64_t kMaxDataSize = uint64_t{1} << 31;  // 2 GiB
inline constexpr uint64_t kMaxChunkRawSize = kMaxDataSize + 64;
inline constexpr uint64_t kMaxFileSize = uint64_t{1} << 48;  // slot offsets are 48-bit

}  // namespace esdb::format
