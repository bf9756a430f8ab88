// A scan of one key: a list of segments (one per group scanned, narrowed to
// the chunks that can hold [from, to) by the chunk directory), walked in
// order or in reverse, either over every ordinal or over the ordinals of one
// posting list. Each scan owns its buffers; nothing is shared between scans.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "buffer.h"
#include "chunk.h"
#include "codec.h"
#include "esdb/esdb.h"
#include "index_block.h"
#include "key_dir.h"
#include "postings.h"
#include "sub_blocks.h"

namespace esdb::detail {

// What a Scan walks: one key's scan, or several merged (multi_reader.cc).
class EventSource {
 public:
  virtual ~EventSource() = default;
  virtual bool next() = 0;
  virtual const Event& event() const = 0;
  // Decoded events for Scan to hand out inline (esdb.h); a source that has
  // none leaves `left` at 0 and every event goes through next().
  ScanRun run;
};

class ScanState final : public EventSource {
 public:
  // use_covers false: an index scan reads its chunks even where the entry
  // has a covering copy (verify compares the two).
  ScanState(std::shared_ptr<const KeyDir> dir, const ScanOptions& options, bool use_covers = true);
  ~ScanState() override;
  bool next() override;
  const Event& event() const override { return event_; }

  // Chunk bytes this scan has loaded (for verify's totals).
  uint64_t raw_bytes_loaded = 0;
  uint64_t stored_bytes_loaded = 0;
  uint64_t chunks_loaded() const { return chunks_loaded_; }

 private:
  struct Segment {
    size_t group;
    uint64_t lo, hi;              // ordinals [lo, hi)
    uint64_t chunk_lo, chunk_hi;  // chunks [chunk_lo, chunk_hi)
  };
  void plan_segments(const ScanOptions& o);
  void load_index_block();
  void load_cover(const KeyDir::Cover& c);
  void load_cover_sub(uint32_t i);
  bool next_cover();
  PostingList posting_list(const IndexRecord& r) const;
  bool next_slow();
  void start_run(uint64_t ordinal, const Segment& s);
  bool next_ordinal(uint64_t& ordinal);
  void load_chunk(uint64_t c);
  void load_sub(uint32_t i);
  void attach_indexes(uint64_t ordinal);
  bool later(uint32_t a, uint32_t b) const;
  [[noreturn]] void fail(uint64_t offset, const std::string& what) const;

  std::shared_ptr<const KeyDir> dir_;
  Window region_;  // the key's bytes (fetched on construction for a remote dir read alone)
  bool reverse_;
  int64_t from_;
  int64_t to_;  // exclusive; kMaxTime with has_to_ false means no bound
  bool has_to_;
  std::vector<Segment> segments_;
  size_t seg_ = 0;
  bool seg_started_ = false;
  uint64_t next_ = 0;  // plain scans: the next ordinal (reverse: one past it)

  bool by_index_ = false;
  PostingCursor cursor_;
  // An index scan of a covered entry: decoded_ holds the copy's events
  // [decoded_lo_, decoded_hi_) (one sub-block of them if split_); taken_ of
  // them are behind the scan.
  bool cover_ = false;
  uint64_t cover_offset_ = 0, cover_count_ = 0;
  uint64_t taken_ = 0;
  uint64_t cover_prev_ordinal_ = 0;
  size_t cover_seg_ = ~size_t{0};
  int64_t cover_prev_ts_ = 0;

  Buffer index_buf_;
  std::string_view index_payload_;
  std::vector<IndexRecord> records_;

  bool with_indexes_ = false;
  std::vector<PostingCursor> attach_;
  std::vector<uint32_t> heap_;  // indexes into attach_, by current ordinal
  std::vector<uint32_t> hits_;
  std::vector<IndexEntry> entries_;

  uint64_t chunks_loaded_ = 0;
  // The chunk loaded (checked), its ordinals [chunk_first_, chunk_end_), and
  // the ordinals decoded_ holds: the whole chunk, or one sub-block of it.
  uint64_t chunk_ = ~uint64_t{0};
  uint64_t chunk_first_ = 0, chunk_end_ = 0;
  int64_t chunk_first_ts_ = 0, chunk_last_ts_ = 0;
  uint64_t chunk_offset_ = 0;
  bool split_ = false;  // a sub-block chunk: subs_ is its table
  SubBlockTable subs_;
  uint32_t sub_ = ~uint32_t{0};  // the sub-block decoded_ holds
  int64_t sub_first_ts_ = 0, sub_last_ts_ = 0;
  uint64_t decoded_lo_ = 0, decoded_hi_ = 0;
  Buffer chunk_buf_;
  DecodedChunk decoded_;
  // A plain scan's run (EventSource::run): the next run.left events follow
  // run.at in decoded_, all in the segment and in [from, to), so they are
  // handed out without asking anything else.
  Event event_;
};

}  // namespace esdb::detail
