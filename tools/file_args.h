// The FILE arguments of the reading commands and merge's inputs. A pattern
// is expanded here as well as by the shell so that it works quoted
// (`esdb get 'days/*.esdb' c-1`), the same way in scripts, cron lines and
// shells that pass an unmatched pattern through unchanged.
#pragma once

#include <string>
#include <vector>

namespace esdb::cli {

// Each argument as given, or, when it holds `*`, `?` or `[` and names no
// existing file, the paths glob(3) matches, sorted byte-wise. A pattern
// matching nothing is a usage error (exit 2) naming it.
std::vector<std::string> expand_file_args(const std::vector<std::string>& args);

}  // namespace esdb::cli
