// Compresses chunks on worker threads while the writer thread keeps filling
// the next ones. Blocks are written strictly in submission order, so the
// file is byte-identical to a single-threaded build; work that needs every
// earlier block on disk (a key's index block and dir) is queued with then().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "build_timeline.h"
#include "codec.h"
#include "sub_blocks.h"

namespace esdb {

class FileSink;

class BlockPipeline {
 public:
  // `workers` == 0 compresses on the calling thread. `dictionary_size` > 0
  // (zstd only) trains a dictionary of up to that many bytes.
  BlockPipeline(FileSink& sink, const Codec& codec, unsigned workers, size_t dictionary_size = 0);
  ~BlockPipeline();
  BlockPipeline(const BlockPipeline&) = delete;
  BlockPipeline& operator=(const BlockPipeline&) = delete;

  using Written = std::function<void(uint64_t offset, uint64_t stored_size)>;
  // Queues `payload` as one chunk block of sub-blocks `subs` (sub_blocks.h);
  // `written` runs on this thread once it is in the file.
  void submit(std::string payload, std::vector<SubEnd> subs, Written written);
  // An empty buffer to fill the next payload in: one of the payloads already
  // written, so its capacity is reused instead of allocated again.
  std::string take_buffer();
  // Queues `fn` to run on this thread after every block submitted before it.
  void then(std::function<void()> fn);
  // Writes everything queued.
  void flush();
  // Compresses one queued chunk no worker took yet, on this thread: for a
  // writer thread that would otherwise wait. False if there was none.
  bool help();

  static unsigned default_workers();

  // Once the first block is written: the codec every block uses, with the
  // dictionary if one was kept, and that dictionary's bytes ("" if none).
  const Codec& codec() const { return codec_; }
  const std::string& dictionary() const { return dictionary_; }

 private:
  struct Item;
  void work();
  void encode_next(std::unique_lock<std::mutex>& lock);
  void write_ready(bool wait_for_head);
  bool claimable() const { return !holding_ && next_unclaimed_ < queue_.size(); }
  void choose_dictionary_now();

  FileSink& sink_;
  Codec codec_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::unique_ptr<Item>> queue_;
  // Written items and payload buffers, kept for reuse (this thread only):
  // fresh 32 KiB buffers per chunk cost page faults and, allocated on one
  // thread and freed on another, malloc arena traffic.
  std::vector<std::unique_ptr<Item>> spare_items_;
  std::vector<std::string> spare_buffers_;
  size_t next_unclaimed_ = 0;  // queue_ index of the next item no worker took
  size_t in_flight_bytes_ = 0;
  size_t unclaimed_bytes_ = 0;  // payload bytes queued that no thread took yet
  bool stop_ = false;
  // Collecting the dictionary's sample: nothing is claimed meanwhile.
  bool holding_ = false;
  size_t dictionary_size_ = 0;
  size_t held_bytes_ = 0;
  std::string dictionary_;
  std::vector<std::thread> workers_;
  timeline::WaitTotal head_wait_;  // the writer thread's, for the timeline
};

}  // namespace esdb
