// What a Go ESDB file holds, without writing anything: each space is parsed
// and every event read as the importer would; a damaged space becomes a
// Problem and the others are still counted.
#pragma once

#include "esdb/esdb.h"
#include "goesdb/go_file.h"

namespace esdb::goesdb {

GoFileReport inspect(const GoFile& f);

}  // namespace esdb::goesdb
