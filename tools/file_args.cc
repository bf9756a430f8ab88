#include "file_args.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <new>

#include "cli_error.h"
#include "esdb/remote.h"

namespace esdb::cli {
namespace {

bool is_pattern(const std::string& arg) {
  if (arg.find_first_of("*?[") == std::string::npos) return false;
  struct stat st;
  return ::stat(arg.c_str(), &st) != 0;  // a file really named `a[1].esdb` is read as is
}

}  // namespace

std::vector<std::string> expand_file_args(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    if (is_url(arg)) {
      // A '?' in an http(s) URL starts its query: only s3:// URLs are patterns.
      if (!is_s3_pattern(arg)) {
        files.push_back(arg);
        continue;
      }
      std::vector<std::string> objects = expand_s3_pattern(arg);
      if (objects.empty()) throw input_error(arg + ": no object matches this pattern");
      files.insert(files.end(), objects.begin(), objects.end());
      continue;
    }
    if (!is_pattern(arg)) {
      files.push_back(arg);
      continue;
    }
    glob_t g{};
    const int rc = ::glob(arg.c_str(), 0, nullptr, &g);
    std::vector<std::string> matches;
    if (rc == 0) matches.assign(g.gl_pathv, g.gl_pathv + g.gl_pathc);
    ::globfree(&g);
    if (rc == GLOB_NOSPACE) throw std::bad_alloc();
    if (rc == GLOB_NOMATCH || matches.empty()) throw input_error(arg + ": no file matches this pattern");
    if (rc != 0) throw input_error(arg + ": cannot read a directory to expand this pattern");
    // glob(3) sorts by the locale's collation; byte order is what the keys
    // use and does not change with LC_ALL.
    std::sort(matches.begin(), matches.end());
    files.insert(files.end(), matches.begin(), matches.end());
  }
  return files;
}

}  // namespace esdb::cli
