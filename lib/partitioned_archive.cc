// The manifest of a partitioned archive (SPEC.md "Partitioned archives"):
//
//   {"format": "esdb-partitioned-archive", "version": 1,
//    "partitioning": "xxh3_64_mod", "files": ["part-00000.esdb", ...]}
//
// JSON because it is written by Python tools and read by people; it is small
// (one name per file) and checked completely before any file is opened.

#include "esdb/partitioned_archive.h"

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "file_sink.h"
#include "format/checksum.h"

namespace esdb {
namespace {

constexpr const char* kFormat = "esdb-partitioned-archive";
constexpr const char* kPartitioning = "xxh3_64_mod";
constexpr uint64_t kVersion = 1;
// A manifest names files, one short line each; anything larger is not one.
constexpr off_t kMaxManifestSize = 64 << 20;

std::string manifest_path(const std::string& dir) { return dir + "/" + std::string(kManifestName); }

// A string member, or "" when absent or of another type (json::value throws then).
std::string string_member(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool plain_name(const std::string& s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos &&
         s.find('\0') == std::string::npos;
}

}  // namespace

uint64_t key_hash(std::string_view key) { return format::key_hash(key); }

uint64_t partition_of(std::string_view key, uint64_t partitions) {
  if (partitions == 0) throw Error(Errc::invalid_argument, "", Error::kNoOffset, "partitions must be > 0");
  // The modulus, not the hash table's high bits: each file's own hash table
  // spreads its keys by the high bits, which a high-bit split would make equal.
  return format::key_hash(key) % partitions;
}

bool is_partitioned_archive(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  return ::stat(manifest_path(path).c_str(), &st) == 0;
}

Manifest read_manifest(const std::string& dir) {
  const std::string path = manifest_path(dir);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw Error(Errc::io, path, Error::kNoOffset, "no manifest: not a partitioned archive");
  if (!S_ISREG(st.st_mode) || st.st_size > kMaxManifestSize)
    throw Error(Errc::corrupt, path, Error::kNoOffset, "manifest is not a regular file of at most 64 MiB");
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw Error(Errc::io, path, Error::kNoOffset, "cannot read the manifest");
  auto bad = [&](const std::string& what) { return Error(Errc::corrupt, path, Error::kNoOffset, "manifest: " + what); };
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) throw bad("not a JSON object");
  if (string_member(j, "format") != kFormat) throw bad(std::string("\"format\" is not \"") + kFormat + "\"");
  if (!j.contains("version") || !j["version"].is_number_unsigned()) throw bad("no unsigned \"version\"");
  if (j["version"].get<uint64_t>() > kVersion)
    throw Error(Errc::unsupported, path, Error::kNoOffset,
                "manifest version " + std::to_string(j["version"].get<uint64_t>()) + " is newer than this library reads");
  if (string_member(j, "partitioning") != kPartitioning)
    throw Error(Errc::unsupported, path, Error::kNoOffset, "manifest: unknown partitioning");
  if (!j.contains("files") || !j["files"].is_array() || j["files"].empty()) throw bad("\"files\" is not a non-empty array");
  Manifest m;
  for (const auto& f : j["files"]) {
    if (!f.is_string() || !plain_name(f.get<std::string>())) throw bad("a file is not a plain name inside the directory");
    m.files.push_back(f.get<std::string>());
  }
  return m;
}

MultiReader open_archive(const std::string& dir) {
  const Manifest m = read_manifest(dir);
  std::vector<Reader> readers;
  readers.reserve(m.files.size());
  for (const std::string& f : m.files) readers.push_back(Reader::open(dir + "/" + f));
  return MultiReader::partitioned(std::move(readers));
}

MultiReader MultiReader::partitioned(std::vector<Reader> readers) {
  if (readers.empty()) throw Error(Errc::invalid_argument, "", Error::kNoOffset, "a partitioned archive has files");
  MultiReader r(std::move(readers));
  r.partitioned_ = true;
  return r;
}

void write_manifest(const std::string& dir, const Manifest& manifest) {
  const std::string path = manifest_path(dir);
  if (manifest.files.empty()) throw Error(Errc::invalid_argument, path, Error::kNoOffset, "manifest without files");
  for (const std::string& f : manifest.files) {
    if (!plain_name(f)) throw Error(Errc::invalid_argument, path, Error::kNoOffset, "not a plain file name: " + f);
  }
  nlohmann::json j = {{"format", kFormat}, {"version", kVersion}, {"partitioning", kPartitioning},
                      {"files", manifest.files}};
  FileSink sink(path, /*overwrite=*/true, /*sync=*/true);
  sink.append(j.dump(1) + "\n");
  sink.commit();
}

}  // namespace esdb
