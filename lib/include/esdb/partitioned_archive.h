// Partitioned archives: a directory of esdb files in which every key lives in
// exactly one file, chosen by its hash, plus a manifest naming the files
// (SPEC.md "Partitioned archives"). Written by esdb.dask.to_esdb on many
// machines; read by MultiReader::open({dir}) and `esdb get DIR KEY`, which
// probe only the key's own file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "esdb/esdb.h"
#include "esdb/error.h"

namespace esdb {

// The manifest's file name inside an archive directory.
inline constexpr std::string_view kManifestName = "esdb-manifest.json";

// The file format's key hash (XXH3-64, seed 0): the hash table's and the
// partitioning's, so every language finds a key the same way.
uint64_t key_hash(std::string_view key);
// The partition of a key among `partitions` (> 0): key_hash(key) % partitions.
uint64_t partition_of(std::string_view key, uint64_t partitions);

struct Manifest {
  // files[i] holds exactly the keys whose partition_of(key, files.size()) is i;
  // plain names inside the directory.
  std::vector<std::string> files;
};

// True when `path` is a directory holding a manifest.
bool is_partitioned_archive(const std::string& path);
// Reads and checks the manifest of the archive at `dir`; a missing or
// malformed manifest is an Error naming it.
Manifest read_manifest(const std::string& dir);
// Writes the manifest atomically (temporary file, fsync, rename): an archive
// without one is not an archive yet, so it is written after every file.
void write_manifest(const std::string& dir, const Manifest& manifest);
// Opens every file the manifest names (MultiReader::partitioned); the file
// count must match the manifest's.
MultiReader open_archive(const std::string& dir);

}  // namespace esdb
