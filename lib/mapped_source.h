// A local file, mapped whole: File::all covers it, so reads never reach the
// source (which only owns the map).
#pragma once

#include <memory>
#include <string>

#include "file.h"

namespace esdb::detail {

// Maps `path`; the footer is checked by make_reader(). Throws Error.
std::shared_ptr<File> open_mapped_file(const std::string& path);

}  // namespace esdb::detail
