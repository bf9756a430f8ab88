// A switch for fuzz_reader and tests/hostile_test.cc: while
// trust_checksums is set, every stored checksum is taken as correct.
//
// A hostile file can carry valid checksums (anyone can compute XXH3), so the
// reader must stay safe on structure alone. Trusting the checksums lets a
// fuzzer's mutations reach the structural checks behind them instead of
// dying at the first checksum; the checksum checks themselves are proved by
// tests/corruption_test.cc.
//
// It works because every checksum in the format is stored in the 4 bytes
// right after the bytes it covers (block trailer, key dir, key table page,
// hash bucket, footer), so "the checksum of [p, p + n)" can answer with the
// u32 at p + n. Linking trusting_checksum.cc into a program replaces
// format/checksum.cc (it defines the same three functions, so the archive
// member is never pulled in); with trust_checksums false it computes the
// real XXH3 checksums, so the writer can be used too.
#pragma once

namespace esdb::fuzz {
inline bool trust_checksums = true;
}  // namespace esdb::fuzz
