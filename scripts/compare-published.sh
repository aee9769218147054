#!/usr/bin/env bash
# Our box and mask AP beside the published ones, as a markdown table (pipelines/released_lvis_v1.mk).
#
#   scripts/compare-published.sh NAME=EVAL.json BOX_AP MASK_AP [NAME=EVAL.json BOX_AP MASK_AP ...]
#
# EVAL.json is `detect-eval --json` output; BOX_AP and MASK_AP are the published numbers in
# percent ("-": none published). Reads the "AP" of the "bbox" and "segm" summaries (the first
# "AP" after each key, before its per_category table).
set -euo pipefail
usage() { echo "usage: compare-published.sh NAME=EVAL.json BOX_AP MASK_AP ..." >&2; exit 64; }
[ $# -ge 3 ] && [ $(($# % 3)) -eq 0 ] || usage

# ap FILE bbox|segm: the summary AP in percent, two decimals.
ap() {
  awk -v key="\"$2\"" 'index($0, key) && /:[[:space:]]*\{/ { inside = 1 }
       inside && /"per_category"/ { exit }
       inside && match($0, /"AP"[[:space:]]*:[[:space:]]*-?[0-9.eE+-]+/) {
         value = substr($0, RSTART, RLENGTH); sub(/^"AP"[[:space:]]*:[[:space:]]*/, "", value)
         printf "%.2f\n", 100 * value; exit }' "$1"
}
# difference OURS PUBLISHED: signed, or "-" when nothing was published.
difference() { if [ "$2" = - ]; then echo -; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f\n", a - b }'; fi; }

echo "| model | box AP | published | difference | mask AP | published | difference |"
echo "| ----- | -----: | --------: | ---------: | ------: | --------: | ---------: |"
while [ $# -gt 0 ]; do
  name=${1%%=*}; file=${1#*=}; box=$2; mask=$3; shift 3
  [ -s "$file" ] || { echo "compare-published: $file is missing or empty (run the eval stage)" >&2; exit 1; }
  ours_box=$(ap "$file" bbox); ours_mask=$(ap "$file" segm)
  [ -n "$ours_box" ] && [ -n "$ours_mask" ] || { echo "compare-published: $file holds no bbox and segm AP (is it detect-eval --json output?)" >&2; exit 1; }
  echo "| $name | $ours_box | $box | $(difference "$ours_box" "$box") | $ours_mask | $mask | $(difference "$ours_mask" "$mask") |"
done
