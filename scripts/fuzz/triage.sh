#!/usr/bin/env bash
# Groups crash reproducers by what they hit: replays each through the plain (unsanitized,
# debug) loce-fuzz and prints one line per distinct failure: the Swift runtime message or the
# harness's finding (numbers masked) with the first frame in our sources, or the peak memory
# when it passes 1 GiB (the harness's -rss_limit_mb). Each replay gets 60 s and at most
# FUZZ_TRIAGE_LIMIT_MB (default 4096) of address space.
#
#   scripts/fuzz/triage.sh TARGET FILE...       e.g. scripts/fuzz/triage.sh shard fuzz/crashes/shard/*
set -uo pipefail
target=${1:?usage: triage.sh TARGET FILE...}
shift
tool=${LOCE_FUZZ_TOOL:-.build/debug/loce-fuzz}
[ -x "$tool" ] || { echo "triage: build the replay tool first: swift build --product loce-fuzz" >&2; exit 64; }
limit_kb=$(( ${FUZZ_TRIAGE_LIMIT_MB:-4096} * 1024 ))
rss_file=$(mktemp)
trap 'rm -f "$rss_file"' EXIT

for file in "$@"; do
  output=$( (ulimit -v "$limit_kb"; timeout 60 /usr/bin/time -o "$rss_file" -f '%M' "$tool" replay "$target" "$file") 2>&1 )
  code=$?
  peak_mib=$(( $(tail -1 "$rss_file" | tr -dc '0-9' || echo 0) / 1024 ))
  message=$(printf '%s\n' "$output" |
            grep -m1 -oE "(Fatal error: .*|Precondition failed: .*|Assertion failed: .*|runtime failure: [a-z ]+|FINDING: .{0,120})" |
            sed -E 's/[0-9]+/N/g' || true)
  frame=$(printf '%s\n' "$output" | grep -E "^ *[0-9]+ .* at /.*/Sources/" | grep -v "Sources/FuzzTargets\|Sources/loce-fuzz" | head -1 |
          sed -E 's/.* at .*\/Sources\//Sources\//')
  if [ -z "$message" ]; then
    case $code in
      0) message="no failure (fixed?)" ;;
      124) message="timeout (60 s)" ;;
      *) message="exit $code" ;;
    esac
  fi
  if [ "$peak_mib" -gt 1024 ]; then message="$message; peak RSS over 1 GiB"; fi
  printf '%s\t%s\t%s\t%s\n' "$message" "${frame:--}" "$file" "$peak_mib"
done | sort | awk -F'\t' '{ key = $1 "\t" $2; if (!(key in count)) { order[++n] = key; first[key] = $3; rss[key] = $4 } count[key]++ }
  END { for (i = 1; i <= n; i++) printf "%4d  %s\n      e.g. %s (peak %s MiB)\n", count[order[i]], order[i], first[order[i]], rss[order[i]] }'
