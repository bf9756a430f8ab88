// A file for the remote-read tests: many small keys (a hash table far larger
// than the tail read on open), a key whose region is just under 256 KiB and
// one well over it, with incompressible data so sizes are what they seem.
#pragma once

#include <string>

#include "test_util.h"

namespace esdb::test {

inline Model remote_model(int small_keys) {
  Model m;
  uint64_t x = 88172645463325252ull;
  auto bytes = [&](size_t n) {
    std::string s(n, '\0');
    for (char& c : s) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      c = static_cast<char>(x);
    }
    return s;
  };
  for (int i = 0; i < small_keys; i++) {
    char name[16];
    std::snprintf(name, sizeof name, "k-%05d", i);
    for (int e = 0; e < 2; e++) m.add({.key = name, .timestamp = 1000 + e, .data = bytes(40), .indexes = {{"t", "a"}}});
  }
  for (int e = 0; e < 1500; e++) m.add({.key = "big", .timestamp = e, .data = bytes(150), .group = e % 2 ? "g" : ""});
  for (int e = 0; e < 3000; e++) m.add({.key = "huge", .timestamp = e, .data = bytes(150)});
  return m;
}

}  // namespace esdb::test
