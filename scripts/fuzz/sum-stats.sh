#!/usr/bin/env bash
# Totals the campaign log work/fuzz/stats.jsonl (one JSON line per target run, written by
# run-campaign.sh) per target: runs, seconds, executions, the highest coverage reached and
# the findings. `make fuzz-stats`; the table goes into docs/robustness.md.
#
#   scripts/fuzz/sum-stats.sh [STATS.jsonl]
set -euo pipefail
stats=${1:-work/fuzz/stats.jsonl}
[ -f "$stats" ] || { echo "sum-stats: no $stats yet (run make fuzz)" >&2; exit 74; }

field() { sed -nE "s/.*\"$1\": \"?([^,\"}]*)\"?.*/\1/p"; }
printf '| target | runs | seconds | executions | exec/s | cov (max) | ft (max) | findings |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
while IFS= read -r line; do
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(field target <<<"$line")" "$(field seconds <<<"$line")" \
    "$(field executions <<<"$line")" "$(field cov <<<"$line")" "$(field ft <<<"$line")" "$(field new_findings <<<"$line")"
done <"$stats" | awk -F'\t' '
  !($1 in runs) { order[++n] = $1 }
  { runs[$1]++; secs[$1] += $2; execs[$1] += $3; if ($4 > cov[$1]) cov[$1] = $4; if ($5 > ft[$1]) ft[$1] = $5; found[$1] += $6 }
  END {
    for (i = 1; i <= n; i++) { t = order[i]
      printf "| %s | %d | %d | %d | %d | %d | %d | %d |\n", t, runs[t], secs[t], execs[t], execs[t] / (secs[t] > 0 ? secs[t] : 1), cov[t], ft[t], found[t]
    }
  }'
