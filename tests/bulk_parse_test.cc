// Bulk JSON-lines parsing (RecordBatcher, JsonBatchParser) against the
// record-at-a-time reader (RecordReader: simdjson DOM validation, then a
// walk per line), which is the reference for what a line means: both must
// yield the same records, the same bad lines and the same line numbers,
// within a block and across block boundaries.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "json_batch_parser.h"
#include "record_batcher.h"
#include "record_reader.h"
#include "test_util.h"

namespace {

using namespace esdb::cli;
using esdb::test::TempDir;
using esdb::test::write_file;

const FieldSpec kSpec{.key = "k", .time = "t", .group = "g", .indexes = {"type", "tag"}, .unit = TimeUnit::s};

// One record or bad line, as text, for comparing.
std::string describe(uint64_t line, const std::string& key, int64_t time, const std::string& group,
                     const std::string& data, const std::vector<std::pair<std::string, std::string>>& indexes) {
  std::string s = std::to_string(line) + "|" + key + "|" + std::to_string(time) + "|" + group + "|" + data;
  for (const auto& [n, v] : indexes) s += "|" + n + "=" + v;
  return s;
}

std::vector<std::string> by_records(const std::string& path) {
  std::vector<std::string> out;
  RecordReader reader(path, InputFormat::json, kSpec);
  Record r;
  while (true) {
    const RecordReader::Status s = reader.next(r);
    if (s == RecordReader::Status::end) break;
    if (s == RecordReader::Status::bad) {
      out.push_back("bad " + reader.error());
    } else {
      out.push_back(describe(reader.line(), r.key, r.time, r.group, r.data, r.indexes));
    }
  }
  return out;
}

std::vector<std::string> by_batches(const std::string& path) {
  std::vector<std::string> out;
  RecordBatcher batcher(path, InputFormat::json, kSpec);
  RecordBatch batch;
  while (batcher.next(batch)) {
    for (const RecordBatch::Item& item : batch.items) {
      if (!item.error.empty()) {
        out.push_back("bad " + std::string(item.error));
        continue;
      }
      std::vector<std::pair<std::string, std::string>> indexes;
      for (uint32_t i = 0; i < item.index_count; ++i) {
        const esdb::IndexEntry& x = batch.indexes[item.index_begin + i];
        indexes.emplace_back(x.name, x.value);
      }
      out.push_back(describe(item.line, std::string(item.key), item.time, std::string(item.group),
                             std::string(item.data), indexes));
    }
  }
  return out;
}

// Whether the bulk parser takes `text` (whole lines) in one go.
bool bulk_takes(const std::string& text) {
  RecordBatch batch;
  batch.text.assign(text.begin(), text.end());
  batch.text.resize(text.size() + simdjson::SIMDJSON_PADDING, ' ');
  JsonBatchParser parser(kSpec);
  return parser.parse(text.size(), 1, batch);
}

const char* const kGood[] = {
    R"({"k":"a","t":1,"type":"view"})",
    R"(  {"k":"caf\u00e9","t":"2014-06-23T14:48:43Z","g":"web","tag":["x","y","x"],"n":[1,{"z":null}]}  )",
    R"({"k":42.50,"t":2,"g":null,"type":true,"tag":[],"f":-1.5e3})",
    R"({"k":"q\"uote","t":3,"type":"","tag":[null,"p\\q",7],"k":"second"})",
    R"({"t":4,"k":"b","g":"a\/b","s":"\ud83d\ude00","o":{"a":[false,true]}})",
    R"({"k":"big","t":5,"n":123456789012345678901234567890})",
};

const std::string_view kBad[] = {
    R"({"k":"a","t":1)",
    R"({"k":"a","t":1} {"k":"b","t":2})",
    R"({"k":"a","t":1} x)",
    R"(5)",
    R"([{"k":"a","t":1}])",
    R"({"k":"a","t":1,"x":01})",
    R"({"k":"a","t":1,"x":tru})",
    R"({"k":"a","t":1,"x":nul})",
    R"({"k":"a","t":1,"x":"\q"})",
    "{\"k\":\"a\",\"t\":1,\"x\":\"\xff\"}",
    R"({"k":"a","t":1,"x":1.5.3})",
    R"({"k":"a","t":1,})",
    R"({"k":"a","t":1,"x" 2})",
    R"({"k":"","t":1})",
    R"({"k":"a"})",
    R"({"k":"a","t":true})",
    R"({"k":"a","t":1,"g":{"x":1}})",
    R"({"k":"a","t":1,"type":[[1]]})",
    R"({"k":12x,"t":1})",
    "{\"k\":\"a\",\n\"t\":1}",
    "{\"k\":\"a\",\"t\":1,\"x\":\"tab\there\"}",
    std::string_view("{\"k\":\"a\",\"t\":1,\"x\":-9\0}", 23),  // a NUL after a number
};

TEST(BulkParse, TakesGoodBlocksWhole) {
  std::string text;
  for (const char* line : kGood) {
    if (std::string(line).find("123456789012345678901234567890") != std::string::npos) continue;
    EXPECT_TRUE(bulk_takes(std::string(line) + "\n")) << line;
    text += std::string(line) + "\n\n";
  }
  EXPECT_TRUE(bulk_takes(text));
  EXPECT_TRUE(bulk_takes("\r\n  \n" + text + "{\"k\":\"z\",\"t\":9}\r\n"));
}

TEST(BulkParse, RefusesEveryBadLine) {
  for (std::string_view bad : kBad) {
    const std::string text = std::string(kGood[0]) + "\n" + std::string(bad) + "\n" + kGood[0] + "\n";
    EXPECT_FALSE(bulk_takes(text)) << bad;
  }
}

TEST(BulkParse, SameAsLineByLine) {
  TempDir dir;
  const std::string path = dir.path("in.jsonl");
  std::string text = "\xEF\xBB\xBF";
  for (const char* line : kGood) text += std::string(line) + "\n";
  for (std::string_view line : kBad) text += std::string(line) + "\r\n" + kGood[0] + "\n\n";
  text += kGood[1];  // no final newline
  write_file(path, text);
  const std::vector<std::string> expected = by_records(path);
  ASSERT_GT(expected.size(), std::size(kGood) + std::size(kBad));
  EXPECT_EQ(by_batches(path), expected);
}

TEST(BulkParse, SameAcrossBlocks) {
  // Many blocks of LineReader::kBlockSize, with bad lines and escaped
  // keys here and there, so some blocks are taken whole and some not.
  TempDir dir;
  const std::string path = dir.path("big.jsonl");
  std::string text;
  for (int i = 0; i < 40000; ++i) {
    if (i % 9973 == 17) {
      text += "{\"k\":\"broken\",\"t\":\n";
      continue;
    }
    text += "{\"k\":\"c-" + std::to_string(i % 229) + (i % 1000 == 0 ? "\\u0041" : "") + "\",\"t\":" +
            std::to_string(1400000000 + i) + ",\"type\":\"" + (i % 3 ? "view" : "purchase") +
            "\",\"pad\":\"" + std::string(i % 50, 'p') + "\"}\n";
    if (i % 5000 == 0) text += "   \n";
  }
  write_file(path, text);
  const std::vector<std::string> expected = by_records(path);
  ASSERT_EQ(expected.size(), 40000u);
  EXPECT_EQ(by_batches(path), expected);
}

}  // namespace
