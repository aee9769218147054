#!/usr/bin/env bash
# The pipelines' prep step: runs `lvis-prep convert ARGS...` (LVIS_PREP: the lvis-prep binary)
# with its summary sent to /dev/null. convert exits 2 when it finished but skipped or repaired
# bad records: it has named them on stderr and counted them by kind in the manifest's
# "skipped", and the shards are complete, so this says so and exits 0 for make to go on, on
# the first run as on a re-run. Any other status is passed on (`--strict` in ARGS turns the
# first bad record into exit 1).
#
#   scripts/convert-shards.sh LVIS_PREP --annotations A.json --images DIR --out SHARDS [ARGS...]
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: convert-shards.sh LVIS_PREP CONVERT-ARGS..." >&2; exit 64; }
prep=$1; shift
"$prep" convert "$@" > /dev/null
status=$?
if [ $status -eq 2 ]; then
  echo "convert-shards.sh: lvis-prep convert skipped or repaired the records listed above (counts by kind: the manifest's \"skipped\"); the shards are complete, going on" >&2
  exit 0
fi
exit $status
