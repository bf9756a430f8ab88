// Writes the seed corpora of the fuzz targets from files made by the writer:
//
//   fuzz_make_corpus fuzz/corpus
//
// corpus/reader/  whole esdb files (each < 4 KiB)
// corpus/chunk/   one chunk and index block of those files, in fuzz_chunk's
//                 input layout (see fuzz_chunk.cc)
// corpus/record/  `esdb build` inputs: a format byte, then the input text
//
// The output is deterministic; rerun it when the format changes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "block.h"
#include "buffer.h"
#include "esdb/esdb.h"
#include "file.h"
#include "format/coding.h"
#include "format/format.h"
#include "hash_table.h"
#include "key_dir.h"

namespace fs = std::filesystem;
using namespace esdb;

static std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

static void put(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (bytes.size() >= 4096) std::fprintf(stderr, "warning: %s is %zu bytes\n", path.c_str(), bytes.size());
}

static void write(const std::string& path, const std::vector<EventInput>& events, WriterOptions o) {
  o.overwrite = true;
  o.sync = false;
  Writer w = Writer::create(path, o);
  for (const EventInput& e : events) w.add(e);
  w.finish();
}

// The fuzz_chunk inputs of every chunk and index block of `bytes`.
static void chunk_seeds(const std::string& name, const std::string& bytes, const fs::path& dir) {
  auto f = std::make_shared<detail::File>();
  f->path = name;
  f->size = bytes.size();
  f->all = detail::Window{bytes.data(), 0, bytes.size(), nullptr};
  uint64_t footer_offset = bytes.size() - format::kFooterSize;
  if (!f->footer.decode(std::string_view(bytes).substr(footer_offset), footer_offset).empty()) return;
  uint64_t page_count = 0;
  for (uint64_t k = 0; k < f->footer.key_count && k < 4; k++) {  // a few dozen seeds in all
    detail::Window hold;
    const char* page = key_table_page(*f, k / format::kKeyTablePageKeys, page_count, hold);
    auto d = detail::KeyDir::parse(f, format::load_fixed64(page + (k % format::kKeyTablePageKeys) * 8));
    std::string index_payload;
    std::vector<std::string> external_lists;
    Buffer buf;
    if (d->index_size) {
      index_payload = read_block(*f, f->all, d->index_offset, d->index_size, d->chunks_end, d->offset, buf, "index");
      // External posting blocks lie between the chunks and the index block.
      if (d->index_offset > d->chunks_end) {
        external_lists.push_back(bytes.substr(d->chunks_end, d->index_offset - d->chunks_end - 5));
      }
    }
    for (uint64_t c = 0; c < d->chunk_count && c < 4; c++) {
      ChunkEntry e = d->chunk(c);
      uint64_t size = d->chunk_end_offset(c) - e.offset;
      // fuzz_chunk's flags: bit 0 a block, bits 1-2 its type (snappy, zstd,
      // sub-block chunk); raw chunks go in as bare payloads.
      const uint8_t type = static_cast<uint8_t>(bytes[e.offset + size - 5]);
      std::string in(1, type == format::kSnappyBlock ? 1 : type == format::kZstdBlock ? 3
                                                     : type == format::kSubBlockChunk ? 5 : 0);
      format::put_varint(in, e.end_ordinal - d->chunk_first_ordinal(c));
      format::put_varint(in, format::zigzag(e.first_ts));
      format::put_varint(in, format::zigzag(e.last_ts));
      format::put_varint(in, size - 5);
      in.append(bytes, e.offset, size - 5);
      format::put_varint(in, d->event_count);
      in.append(index_payload);
      put(dir / (name + "-key" + std::to_string(k) + "-chunk" + std::to_string(c)), in);
    }
    for (size_t i = 0; i < external_lists.size(); i++) {
      // The walker borrows an external list from the chunk bytes.
      std::string in(1, 0);
      for (int j = 0; j < 3; j++) format::put_varint(in, 0);
      format::put_varint(in, external_lists[i].size());
      in.append(external_lists[i]);
      format::put_varint(in, d->event_count);
      in.append(index_payload);
      put(dir / (name + "-key" + std::to_string(k) + "-postings" + std::to_string(i)), in);
    }
  }
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  for (const char* sub : {"reader", "chunk", "record"}) fs::create_directories(root / sub);
  const fs::path tmp = fs::temp_directory_path() / "esdb-make-corpus.esdb";

  std::vector<std::pair<std::string, std::string>> files;  // name, bytes
  auto make = [&](const std::string& name, const std::vector<EventInput>& events, WriterOptions o) {
    write(tmp, events, o);
    files.emplace_back(name, slurp(tmp));
    fs::remove(tmp);
  };

  make("empty", {}, {});
  make("one", {{.key = "a", .timestamp = 1, .data = "x"}}, {});
  std::vector<EventInput> mixed;
  const char* keys[] = {"a", "k0", "key-1", "customer-1"};
  for (int i = 0; i < 24; i++) {
    EventInput e{.key = keys[i % 4], .timestamp = 1000 + (i * 37) % 50, .data = i % 3 ? "{\"v\":1}" : ""};
    if (i % 2) e.group = i % 4 == 1 ? "g1" : "g2";
    if (i % 3 == 0) e.indexes.push_back({"type", "view"});
    if (i % 5 == 0) e.indexes.push_back({"type", "buy"});
    if (i % 4 == 0) e.indexes.push_back({"tag", "x"});
    mixed.push_back(e);
  }
  make("mixed", mixed, {.chunk_size = 24, .compress = false});
  std::vector<EventInput> text;
  const std::string line = "the quick brown fox jumps over the lazy dog, the quick brown fox";
  for (int i = 0; i < 12; i++) {
    text.push_back({.key = i % 2 ? "a" : "k0", .timestamp = -5 + i, .data = line, .indexes = {{"tag", "x"}}});
  }
  make("snappy", text, {.chunk_size = 300, .compress = true});
  std::vector<EventInput> many;
  for (int i = 0; i < 150; i++) {
    many.push_back({.key = "key-1", .timestamp = i / 3, .data = "", .indexes = {{"type", "view"}}});
  }
  make("postings", many, {.chunk_size = 128, .compress = false});
  // Enough keys for bucket overflow chains and a many-slot hash table.
  std::vector<EventInput> keyed;
  std::vector<std::string> key_names(30);  // EventInput holds views
  for (int i = 0; i < 30; i++) {
    const std::string& key = key_names[i] = "key-" + std::to_string(i);
    keyed.push_back({.key = key, .timestamp = i, .data = i % 2 ? "d" : ""});
    if (i % 7 == 0) keyed.push_back({.key = key, .timestamp = -i, .group = "g", .indexes = {{"n", "v"}}});
  }
  make("keys", keyed, {.compress = false});
  // One key, many groups of small chunks, indexes spanning groups.
  std::vector<EventInput> grouped;
  for (int i = 0; i < 60; i++) {
    EventInput e{.key = "customer-1", .timestamp = (i * 7919) % 97 - 40, .data = "0123456789"};
    e.group = std::string_view("abcdefghij").substr(i % 10, 1);
    if (i % 4 == 0) e.indexes.push_back({"type", i % 8 ? "view" : "buy"});
    grouped.push_back(e);
  }
  make("groups", grouped, {.chunk_size = 40, .compress = false});
  // Compact blocks: zstd sub-blocks, zstd chunks and index blocks, Snappy
  // sub-blocks.
  make("compact-zstd", text, {.chunk_size = 300, .compression = Compression::zstd, .sub_block_size = 140});
  make("compact-whole", text, {.chunk_size = 300, .compression = Compression::zstd, .sub_block_size = 0});
  make("compact-snappy", mixed, {.chunk_size = 60, .sub_block_size = 20});
  // A zstd dictionary (required flag bit 1): JSON-like events over several
  // keys, enough for a 256-byte dictionary to be trained and kept.
  std::vector<EventInput> json;
  std::vector<std::string> json_data(80);
  for (int i = 0; i < 80; i++) {
    json_data[i] = R"({"event":"page_view","page":"/docs/)" + std::to_string(i % 5) + R"(","n":)" + std::to_string(i) + "}";
    json.push_back({.key = keys[i % 4], .timestamp = i, .data = json_data[i], .indexes = {{"type", i % 3 ? "view" : "buy"}}});
  }
  make("zstd-dictionary", json,
       {.chunk_size = 200, .compression = Compression::zstd, .zstd_dictionary_size = 256, .sub_block_size = 120});
  // Covered index entries (required flag bit 2): covers by name and by
  // value, whole and as sub-blocks, across groups.
  make("covered", mixed, {.chunk_size = 24, .compress = false, .covered_indexes = {"type", "tag=x"}, .cover_max_share = 0.5});
  make("covered-groups", grouped, {.chunk_size = 40, .covered_indexes = {"type"}, .cover_max_share = 0.5});
  make("extremes",
       {{.key = "a", .timestamp = kMinTime, .data = "lo"},
        {.key = "a", .timestamp = kMaxTime, .data = "hi"},
        {.key = "a", .timestamp = 0, .group = "z", .indexes = {{"", "v"}, {"n", ""}}}},
       {});

  for (const auto& [name, bytes] : files) {
    put(root / "reader" / (name + ".esdb"), bytes);
    chunk_seeds(name, bytes, root / "chunk");
  }

  const std::pair<const char*, std::string> records[] = {
      {"json", std::string(1, 0) +
                   "{\"key\":\"c-1\",\"ts\":1403534923,\"type\":\"view\",\"tag\":[\"new\",\"promo\"]}\n"
                   "{\"key\":\"c-2\",\"ts\":\"2014-06-23T14:48:43.5+02:00\",\"group\":\"web\",\"type\":true}\n"
                   "{\"key\":7,\"ts\":-5,\"group\":null,\"total\":42.50}\n"
                   "\n{\"key\":\"c-3\"}\n[1,2]\n"},
      {"json-ms", std::string(1, 4) + "{\"key\":\"k\",\"ts\":\"2014-06-23\",\"tag\":[]}\r\n"},
      {"csv", std::string(1, 1) +
                  "key,ts,group,type,total\n"
                  "c-1,1403534923,web,view,\n"
                  "\"c,2\",2014-06-23T14:49:10Z,,\"say \"\"hi\"\"\",12.5\n"
                  "\"c-3\",1,app,\"multi\nline\",0\n"
                  "c-4,x\n"},
      {"dump", std::string(1, 2) +
                   "{\"key\":\"a\",\"time\":-5,\"group\":\"\",\"data_text\":\"\",\"indexes\":[]}\n"
                   "{\"key\":\"a\",\"time\":0,\"group\":\"g\",\"data_text\":\"x\\ny\",\"indexes\":[[\"k\",{\"b64\":\"/wA=\"}]]}\n"
                   "{\"key_b64\":\"bv4=\",\"time\":9223372036854775807,\"data\":[1,2.50,{\"x\":null}],"
                   "\"indexes\":[[{\"b64\":\"bv4=\"},\"v\"]]}\n"
                   "{\"key\":\"b\",\"time\":1,\"data_b64\":\"AAEC\"}\n"},
  };
  for (const auto& [name, bytes] : records) put(root / "record" / name, bytes);
  return 0;
}
