// Bytes in and out of Python. Keys, groups and index names/values are bytes
// in the file; Python gives them as str (UTF-8) or bytes and gets str back,
// decoded with surrogateescape so that any bytes survive a round trip.
#pragma once

#include <pybind11/pybind11.h>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "esdb/esdb.h"

namespace esdb::py {

namespace pyb = pybind11;

// A view of `obj` (str or bytes-like); `storage` keeps bytes that had to be
// made (a str with surrogates). Valid while `obj` and `storage` live.
// Raises TypeError for anything else.
std::string_view bytes_of(pyb::handle obj, std::deque<std::string>& storage, const char* what);
// As above for one value at a time: `storage` (untouched in the common
// case) holds what had to be made. No allocation for str and bytes.
std::string_view bytes_of(pyb::handle obj, std::string& storage, const char* what);
// A copy, for a value that must outlive `obj`.
std::string bytes_of(pyb::handle obj, const char* what);

// One event from the arguments Writer.add and Archive.append share; its
// views point into the Python objects or `storage`.
EventInput event_of(pyb::handle key, int64_t timestamp, pyb::handle data, pyb::handle group, pyb::handle indexes,
                    std::deque<std::string>& storage);

// New references.
PyObject* new_text(std::string_view s);   // str, surrogateescape
PyObject* new_bytes(std::string_view s);  // bytes

// WriterOptions' codec from a name (esdb::set_compression); ValueError for
// any other name.
void set_compression_or_raise(WriterOptions& options, const std::string& name);
// The covered_indexes and cover_max_share arguments of Writer and merge;
// None keeps the library's default. Writer::create checks them
// (InvalidArgumentError).
void set_cover(WriterOptions& options, const std::optional<std::vector<std::string>>& covered_indexes,
               std::optional<double> cover_max_share);

}  // namespace esdb::py
