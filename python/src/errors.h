// esdb::Error as Python exceptions, one class per esdb::Errc under
// esdb.Error, each carrying .code, .path and .offset (None when no offset
// applies). io errors are also OSError, exists also FileExistsError,
// invalid_argument also ValueError, so ordinary handlers catch them.
#pragma once

#include <pybind11/pybind11.h>

namespace esdb::py {

void register_errors(pybind11::module_& m);

// Sets the Python error for a C++ exception caught outside pybind11's
// dispatcher (a native slot such as tp_iternext): esdb::Error by code,
// pybind11's own exceptions, bad_alloc as MemoryError, others RuntimeError.
// Call it inside a catch block.
void set_error_from_current_exception();

}  // namespace esdb::py
