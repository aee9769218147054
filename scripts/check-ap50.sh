#!/usr/bin/env bash
# Fails unless the box AP50 in a `detect-eval --json` document reaches a threshold.
#
#   scripts/check-ap50.sh EVAL.json MIN     (e.g. work/coco128/eval.json 0.5)
#
# Reads the "AP50" of the "bbox" object's summary (the first AP50 after "bbox", before its
# per_category table). Exit 0 and one line on stdout when met; exit 1 with the number otherwise.
set -euo pipefail
file=${1:?usage: check-ap50.sh EVAL.json MIN}
min=${2:?usage: check-ap50.sh EVAL.json MIN}
[ -s "$file" ] || { echo "check-ap50: $file is missing or empty (run the eval stage)" >&2; exit 1; }
ap50=$(awk '/"bbox"[[:space:]]*:/ { inbox = 1 }
            inbox && /"per_category"/ { exit }
            inbox && match($0, /"AP50"[[:space:]]*:[[:space:]]*-?[0-9.eE+-]+/) {
              value = substr($0, RSTART, RLENGTH); sub(/^"AP50"[[:space:]]*:[[:space:]]*/, "", value); print value; exit }' "$file")
[ -n "$ap50" ] || { echo "check-ap50: $file holds no bbox AP50 (is it detect-eval --json output?)" >&2; exit 1; }
if awk -v a="$ap50" -v m="$min" 'BEGIN { exit !(a + 0 >= m + 0) }'; then
  echo "check-ap50: box AP50 $ap50 >= $min ($file)"
else
  echo "check-ap50: box AP50 $ap50 < $min: the model did not fit the images ($file)" >&2
  exit 1
fi
