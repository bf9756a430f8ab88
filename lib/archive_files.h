// The naming rule of an archive directory (esdb/archive.h): which sequence
// numbers have a log, a sealed file or both, and the paths for them.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace esdb::detail {

struct SeqFiles {
  bool log = false;
  bool sealed = false;
};

std::string log_path(const std::string& dir, uint64_t seq);
std::string sealed_path(const std::string& dir, uint64_t seq);
// Every <seq>.log and <seq>.esdb in `dir`, by sequence number.
std::map<uint64_t, SeqFiles> list_archive(const std::string& dir);
// Removes what a killed writer left: seal and log-creation temporaries.
void remove_temporaries(const std::string& dir);
void sync_directory(const std::string& dir);

}  // namespace esdb::detail
