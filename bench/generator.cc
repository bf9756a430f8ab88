// The seeded customer-activity generator (dataset.h). It uses its own
// PRNG and distributions, not <random>'s, so a seed gives the same events
// with any standard library.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dataset.h"

namespace esdb::bench {
namespace {

// splitmix64: the mixer is a bijection, so mix(i) names keys uniquely.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() { return mix(s_ += 0x9e3779b97f4a7c15ULL); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  uint64_t below(uint64_t n) { return static_cast<uint64_t>(uniform() * static_cast<double>(n)); }
  bool chance(double p) { return uniform() < p; }
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

 private:
  uint64_t s_;
};

struct Type {
  const char* name;
  double weight;
};
// A handful of event types; purchases are rare, as on real shops.
constexpr Type kTypes[] = {{"page_view", 0.45}, {"search", 0.15}, {"add_to_cart", 0.10},
                           {"purchase", 0.05},  {"login", 0.15},  {"email_open", 0.10}};
constexpr const char* kDevices[] = {"web", "ios", "android"};
constexpr const char* kWords[] = {"red",   "shoes", "running", "jacket", "wool",  "kids",   "sale",
                                  "black", "linen", "shirt",   "boots",  "cheap", "winter", "bag"};
constexpr const char* kRefs[] = {"direct", "search", "email", "ad", "social"};
constexpr const char* kMethods[] = {"password", "sso", "magic_link"};
constexpr const char* kAgents[] = {
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15",
    "okhttp/4.12.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/119.0"};
constexpr uint64_t kSkus = 20'000;
constexpr int64_t kStart = 1'700'000'000'000;  // ms
constexpr int64_t kSpan = 365LL * 24 * 3600 * 1000;

std::string key_name(uint64_t i) {
  static const char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string s = "cus_";
  for (uint64_t v = mix(i) >> 8; v != 0; v /= 36) s += kDigits[v % 36];
  return s;
}

// Popular products are viewed far more often: sku index ~ u^3.
uint64_t pick_sku(Rng& r) {
  const double u = r.uniform();
  return static_cast<uint64_t>(u * u * u * kSkus);
}

const char* pick_type(Rng& r) {
  double u = r.uniform();
  for (const Type& t : kTypes) {
    if ((u -= t.weight) < 0) return t.name;
  }
  return kTypes[0].name;
}

struct Slot {
  int64_t ts;
  uint32_t key;
};

}  // namespace

Dataset generate(const GeneratorOptions& o) {
  Rng r(o.seed);
  // Events per key: Zipf weights over ranks, stochastic rounding, >= 1 each.
  double total_weight = 0;
  for (uint64_t i = 1; i <= o.keys; ++i) total_weight += std::pow(static_cast<double>(i), -o.zipf_s);
  std::vector<Slot> slots;
  slots.reserve(o.events + o.keys);
  for (uint64_t k = 0; k < o.keys; ++k) {
    const double want = static_cast<double>(o.events) * std::pow(static_cast<double>(k + 1), -o.zipf_s) / total_weight;
    const uint64_t n = std::max<uint64_t>(1, static_cast<uint64_t>(want + r.uniform()));
    // Timestamps increase with exponential gaps and jitter; ~1% repeat the previous one.
    int64_t ts = kStart + static_cast<int64_t>(r.below(kSpan / 2));
    const double gap = static_cast<double>(kStart + kSpan - ts) / static_cast<double>(n + 1);
    for (uint64_t j = 0; j < n; ++j) {
      if (!r.chance(0.01)) ts += 1 + static_cast<int64_t>(r.exponential(gap * 0.9) + r.uniform() * gap * 0.2);
      slots.push_back({ts, static_cast<uint32_t>(k)});
    }
  }
  // Arrival order is global time order (stable: a key's equal times keep their order).
  std::stable_sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.ts < b.ts; });

  Dataset d;
  std::vector<std::string> names(o.keys);
  for (uint64_t k = 0; k < o.keys; ++k) names[k] = key_name(k);
  std::string json;
  std::vector<std::pair<std::string, std::string>> indexes;
  char buf[512];
  for (const Slot& s : slots) {
    const std::string& key = names[s.key];
    const char* type = pick_type(r);
    const char* device = kDevices[r.below(3)];
    indexes.clear();
    indexes.push_back({"type", type});
    std::snprintf(buf, sizeof buf, R"({"customer":"%s","ts":%lld,"type":"%s","device":"%s","session":"%08llx")",
                  key.c_str(), static_cast<long long>(s.ts), type, device,
                  static_cast<unsigned long long>(mix(s.ts ^ s.key) & 0xffffffff));
    json = buf;
    const std::string_view t = type;
    if (t == "page_view") {
      if (r.chance(0.6)) {
        const auto sku = static_cast<unsigned long long>(pick_sku(r));
        std::snprintf(buf, sizeof buf, R"(,"page":"/p/%llu","sku":"sku-%05llu")", sku, sku);
        char sku_text[16];
        std::snprintf(sku_text, sizeof sku_text, "sku-%05llu", sku);
        indexes.push_back({"sku", sku_text});
      } else {
        std::snprintf(buf, sizeof buf, R"(,"page":"/c/%s")", kWords[r.below(std::size(kWords))]);
      }
      json += buf;
      std::snprintf(buf, sizeof buf, R"(,"ref":"%s","dur_ms":%llu)", kRefs[r.below(std::size(kRefs))],
                    static_cast<unsigned long long>(r.exponential(20000)));
      json += buf;
    } else if (t == "search") {
      json += R"(,"query":")";
      const uint64_t words = 1 + r.below(4);
      for (uint64_t w = 0; w < words; ++w) json += std::string(w ? " " : "") + kWords[r.below(std::size(kWords))];
      std::snprintf(buf, sizeof buf, R"(","results":%llu)", static_cast<unsigned long long>(r.below(500)));
      json += buf;
    } else if (t == "add_to_cart" || t == "purchase") {
      const uint64_t items = t == "purchase" ? 1 + r.below(3) : 1;
      double total = 0;
      json += R"(,"items":[)";
      for (uint64_t i = 0; i < items; ++i) {
        const uint64_t sku = pick_sku(r);
        const double price = 1.0 + static_cast<double>(r.below(20000)) / 100.0;
        const uint64_t qty = 1 + r.below(3);
        total += price * static_cast<double>(qty);
        std::snprintf(buf, sizeof buf, R"(%s{"sku":"sku-%05llu","qty":%llu,"price":%.2f})", i ? "," : "",
                      static_cast<unsigned long long>(sku), static_cast<unsigned long long>(qty), price);
        json += buf;
        char sku_text[16];
        std::snprintf(sku_text, sizeof sku_text, "sku-%05llu", static_cast<unsigned long long>(sku));
        indexes.push_back({"sku", sku_text});
      }
      json += "]";
      if (t == "purchase") {
        std::snprintf(buf, sizeof buf, R"(,"order":"o-%08llx","total":%.2f,"currency":"EUR")",
                      static_cast<unsigned long long>(r.next() & 0xffffffff), total);
        json += buf;
      }
    } else if (t == "login") {
      std::snprintf(buf, sizeof buf, R"(,"method":"%s","ip":"10.%llu.%llu.%llu","ua":"%s")",
                    kMethods[r.below(3)], static_cast<unsigned long long>(r.below(256)),
                    static_cast<unsigned long long>(r.below(256)), static_cast<unsigned long long>(r.below(256)),
                    kAgents[r.below(std::size(kAgents))]);
      json += buf;
    } else {
      std::snprintf(buf, sizeof buf, R"(,"campaign":"cmp-%04llu","subject_id":%llu)",
                    static_cast<unsigned long long>(r.below(400)), static_cast<unsigned long long>(r.below(100000)));
      json += buf;
    }
    json += "}";
    d.add(key, s.ts, o.group ? std::string_view(device) : std::string_view(), indexes, json);
  }
  d.scan_index_name = "type";
  d.scan_index_value = "purchase";
  d.describe = "generated: seed " + std::to_string(o.seed) + ", " + std::to_string(o.keys) + " keys, zipf s=" +
               std::to_string(o.zipf_s).substr(0, 4) + (o.group ? ", group=device" : "");
  return d;
}

}  // namespace esdb::bench
