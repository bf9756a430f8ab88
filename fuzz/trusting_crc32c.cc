// Replaces lib/goesdb/crc32c.cc in fuzz_import; see lib/goesdb/crc32c.h.
// While trust_crc32c is set, every stored table checksum is taken as correct
// so that mutations reach the table parser's structural checks (anyone can
// compute a CRC, so those checks must hold on their own).
#include <boost/crc.hpp>

#include "format/coding.h"
#include "fuzz/trusting_crc32c.h"
#include "goesdb/crc32c.h"

namespace esdb::goesdb {

uint32_t masked_crc32c(std::string_view bytes) {
  if (fuzz::trust_crc32c) return format::load_fixed32(bytes.data() + bytes.size());
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(bytes.data(), bytes.size());
  const uint32_t c = crc.checksum();
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

}  // namespace esdb::goesdb
