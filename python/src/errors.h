// esdb::Error as Python exceptions, one class per esdb::Errc under
// esdb.Error, each carrying .code, .path and .offset (None when no offset
// applies). io errors are also OSError, exists also FileExistsError,
// invalid_argument also ValueError, so ordinary handlers catch them.
#pragma once

#include <pybind11/pybind11.h>

namespace esdb::py {

void register_errors(pybind11::module_& m);

}  // namespace esdb::py
