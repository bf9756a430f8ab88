#!/usr/bin/env bash
# Installs dependencies, builds, and runs the main job on a small sample:
# build a file from JSON lines, look a customer up, scan an index in reverse.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DESDB_BUILD_TOOLS=ON -DESDB_BUILD_TESTS=ON >/dev/null
cmake --build build -j"$(nproc)" --target esdb_cli esdb_quickstart
esdb=build/tools/esdb
out=$(mktemp -d)/activity.esdb
set -x
$esdb build "$out" examples/activity.jsonl --key customer --time ts --index type
$esdb get "$out" c-1
$esdb get "$out" c-1 --index type=purchase --reverse
$esdb info "$out"
$esdb verify "$out"
build/examples/esdb_quickstart "$(dirname "$out")/quickstart.esdb"
# The same lookup from Python (the binding built for Debian's /usr/bin/python3).
{ set +x; } 2>/dev/null
cmake -S . -B build -DESDB_BUILD_PYTHON=ON >/dev/null
cmake --build build -j"$(nproc)" --target esdb_python
set -x
PYTHONPATH=build/python /usr/bin/python3 -c '
import sys, esdb
r = esdb.Reader(sys.argv[1])
for e in r["c-1"].scan(index=("type", "purchase"), reverse=True):
    print(e.timestamp, e.data.decode())
print(r.to_pandas().groupby("key", observed=True).size())
' "$out"
