#include "block_pipeline.h"

#include "block.h"
#include "build_timeline.h"
#include "file_sink.h"
#include "format/format.h"
#include "zstd_dictionary.h"

namespace esdb {

// Raw bytes queued before the writer thread waits for the head: enough to
// keep the workers busy, small next to the memory budget.
static constexpr size_t kMaxInFlightBytes = 2 << 20;
// A sleeping worker is woken once this much unclaimed work is queued, not
// for every chunk: most keys end in a small chunk, and waking a thread costs
// more than compressing a few KiB. The writer thread compresses unclaimed
// work itself whenever it has to wait (write_ready), so nothing is stranded.
static constexpr size_t kWakeBytes = 64 << 10;

struct BlockPipeline::Item {
  std::string payload;
  std::vector<SubEnd> subs;
  std::string compressed;
  std::string scratch;
  uint8_t type = 0;    // once ready: raw (payload is stored) or snappy (compressed is)
  bool ready = false;
  Written written;
  std::function<void()> then;  // set for then() items, which are always ready
};

unsigned BlockPipeline::default_workers() {
  unsigned n = std::thread::hardware_concurrency();
  return n > 1 ? n - 1 : 0;
}

BlockPipeline::BlockPipeline(FileSink& sink, const Codec& codec, unsigned workers, size_t dictionary_size)
    : sink_(sink), codec_(codec), holding_(codec.kind == Compression::zstd && dictionary_size > 0),
      dictionary_size_(dictionary_size) {
  for (unsigned i = 0; i < workers; i++) workers_.emplace_back([this] { work(); });
}

BlockPipeline::~BlockPipeline() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void BlockPipeline::work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stop_ || claimable(); });
    if (stop_) {
      timeline::mark("worker", "exit");
      return;
    }
    encode_next(lock);
  }
}

// Claims the next unclaimed item and encodes it, without the lock held.
void BlockPipeline::encode_next(std::unique_lock<std::mutex>& lock) {
  Item* item = queue_[next_unclaimed_++].get();
  if (item->ready) return;  // then() items need no work
  unclaimed_bytes_ -= item->payload.size();
  lock.unlock();
  item->type = encode_chunk(item->payload, item->subs, codec_, item->compressed, item->scratch);
  lock.lock();
  item->ready = true;
  done_cv_.notify_all();
}

std::string BlockPipeline::take_buffer() {
  if (spare_buffers_.empty()) return {};
  std::string b = std::move(spare_buffers_.back());
  spare_buffers_.pop_back();
  b.clear();
  return b;
}

void BlockPipeline::submit(std::string payload, std::vector<SubEnd> subs, Written written) {
  std::unique_ptr<Item> item;
  if (spare_items_.empty()) {
    item = std::make_unique<Item>();
  } else {
    item = std::move(spare_items_.back());
    spare_items_.pop_back();
  }
  item->written = std::move(written);
  item->payload = std::move(payload);
  item->subs = std::move(subs);
  bool wake = false;
  if (workers_.empty() && !holding_) {
    item->type = encode_chunk(item->payload, item->subs, codec_, item->compressed, item->scratch);
    item->ready = true;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_bytes_ += item->payload.size();
    if (!item->ready) {
      unclaimed_bytes_ += item->payload.size();
      wake = !holding_ && unclaimed_bytes_ >= kWakeBytes;
    }
    if (holding_) held_bytes_ += item->payload.size();
    queue_.push_back(std::move(item));
  }
  if (wake) work_cv_.notify_one();
  // The sample is at most kMaxInFlightBytes: the choice comes before the
  // wait below, which needs the head compressed.
  if (holding_ && held_bytes_ >= dictionary_sample_bytes(dictionary_size_)) choose_dictionary_now();
  write_ready(false);
  while (in_flight_bytes_ > kMaxInFlightBytes) write_ready(true);
}

void BlockPipeline::then(std::function<void()> fn) {
  auto item = std::make_unique<Item>();
  item->then = std::move(fn);
  item->ready = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(item));
  }
  write_ready(false);
}

void BlockPipeline::flush() {
  if (holding_) choose_dictionary_now();
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) break;
    }
    write_ready(true);
  }
  timeline::report("writer", "for the pipeline's head (compression), in all", head_wait_.total_ms());
}

bool BlockPipeline::help() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!claimable()) return false;
  encode_next(lock);
  return true;
}

// Trains on the held chunks (each sub-block a sample of its own, as it is
// compressed on its own), keeps the dictionary if it pays, and lets the
// held chunks be compressed with the codec chosen.
void BlockPipeline::choose_dictionary_now() {
  std::vector<std::string_view> samples;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& item : queue_) {
      if (item->then) continue;
      std::string_view p = item->payload;
      if (item->subs.size() <= 1) {
        samples.push_back(p);
        continue;
      }
      uint32_t from = 0;
      for (const SubEnd& e : item->subs) {
        samples.push_back(p.substr(from, e.byte_end - from));
        from = e.byte_end;
      }
    }
  }
  DictionaryChoice choice = choose_dictionary(samples, dictionary_size_, codec_.level);
  {
    std::unique_lock<std::mutex> lock(mu_);
    dictionary_ = std::move(choice.bytes);
    codec_.dictionary = std::move(choice.compress);
    holding_ = false;
    if (workers_.empty()) {
      while (claimable()) encode_next(lock);
    }
  }
  work_cv_.notify_all();
}

// Writes (or runs) the items at the head of the queue that are ready; with
// `wait_for_head`, first waits until the head is, encoding unclaimed items
// on this thread meanwhile.
void BlockPipeline::write_ready(bool wait_for_head) {
  for (;;) {
    std::unique_ptr<Item> item;
    {
      std::unique_lock<std::mutex> lock(mu_);
      while (wait_for_head && !queue_.empty() && !queue_.front()->ready) {
        if (claimable()) {
          encode_next(lock);
        } else {
          head_wait_.begin();
          done_cv_.wait(lock);
          head_wait_.end();
        }
      }
      if (queue_.empty() || !queue_.front()->ready) return;
      item = std::move(queue_.front());
      queue_.pop_front();
      if (next_unclaimed_ > 0) next_unclaimed_--;
      in_flight_bytes_ -= item->payload.size();
    }
    wait_for_head = false;
    if (item->then) {
      item->then();
      continue;
    }
    uint64_t offset = sink_.offset();
    std::string_view stored = item->type == format::kRawBlock ? std::string_view(item->payload) : item->compressed;
    item->written(offset, append_block(sink_, stored, item->type));
    spare_buffers_.push_back(std::move(item->payload));
    item->payload = std::string();
    item->written = nullptr;
    item->ready = false;
    spare_items_.push_back(std::move(item));
  }
}

}  // namespace esdb
