#!/usr/bin/env bash
# Runs a libFuzzer campaign over the LOCE fuzz targets, one target at a time (one core):
#
#   scripts/fuzz/run-campaign.sh HARNESS SECONDS [TARGET...]     (what `make fuzz` runs)
#
# HARNESS is loce-fuzz built with -sanitize=fuzzer,address -DLOCE_LIBFUZZER. Each target runs
# SECONDS with -rss_limit_mb=1024 (the issue's 1 GiB), -timeout=10 and its own -max_len, on a
# working corpus work/fuzz/corpus/TARGET (not in git) seeded from fuzz/corpus/TARGET, and the
# dictionary fuzz/dict/TARGET.dict when there is one. A crash,
# timeout or out-of-memory input is saved as fuzz/crashes/TARGET/crash-… (commit it once fixed).
# Per target the executions, exec/s, coverage (cov = edges, ft = features) and outcome are
# printed and appended as one JSON line to work/fuzz/stats.jsonl (scripts/fuzz/sum-stats.sh
# totals them). FUZZ_FORK=1 keeps fuzzing after a finding (libFuzzer -fork=1 -ignore_*), so one
# run can find several bugs. Exit status 1 when any target found something.
set -euo pipefail

harness=${1:?usage: run-campaign.sh HARNESS SECONDS [TARGET...]}
seconds=${2:?usage: run-campaign.sh HARNESS SECONDS [TARGET...]}
shift 2
work=${FUZZ_WORK:-work/fuzz}
rss_limit_mb=${FUZZ_RSS_LIMIT_MB:-1024}
timeout_s=${FUZZ_TIMEOUT:-10}

# Target table from the harness itself: name, max_len, summary.
table=$(LOCE_FUZZ_TARGET=list "$harness")
if [ $# -eq 0 ]; then
  set -- $(printf '%s\n' "$table" | cut -f1)
fi

mkdir -p "$work/logs"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
status=0
for target in "$@"; do
  max_len=$(printf '%s\n' "$table" | awk -F'\t' -v t="$target" '$1 == t { print $2 }')
  if [ -z "$max_len" ]; then
    echo "run-campaign: unknown target $target (targets: $(printf '%s\n' "$table" | cut -f1 | tr '\n' ' '))" >&2
    exit 64
  fi
  mkdir -p "$work/corpus/$target" "fuzz/crashes/$target"
  log="$work/logs/$target-$(date -u +%Y%m%dT%H%M%SZ).log"
  mode=()
  if [ -f "fuzz/dict/$target.dict" ]; then mode+=(-dict="fuzz/dict/$target.dict"); fi
  if [ "${FUZZ_FORK:-0}" = 1 ]; then
    mode+=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
  fi
  before=$(ls "fuzz/crashes/$target" | wc -l)
  started=$(date +%s)
  set +e
  LOCE_FUZZ_TARGET="$target" ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:quarantine_size_mb=64}" \
    "$harness" "$work/corpus/$target" "fuzz/corpus/$target" \
    -max_len="$max_len" -rss_limit_mb="$rss_limit_mb" -timeout="$timeout_s" -max_total_time="$seconds" \
    -artifact_prefix="fuzz/crashes/$target/" -print_final_stats=1 "${mode[@]}" >"$log" 2>&1
  code=$?
  set -e
  elapsed=$(( $(date +%s) - started ))

  # Executions: the final stats, else the last status line ("#N ... cov: C ft: F ...").
  executions=$(awk '/stat::number_of_executed_units:/ { n = $2 } END { print n + 0 }' "$log")
  status_line=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -1 || true)
  if [ "$executions" = 0 ] && [ -n "$status_line" ]; then
    executions=$(printf '%s\n' "$status_line" | sed -E 's/^#([0-9]+).*/\1/')
  fi
  cov=$(printf '%s\n' "$status_line" | sed -nE 's/.* cov: ([0-9]+).*/\1/p')
  ft=$(printf '%s\n' "$status_line" | sed -nE 's/.* ft: ([0-9]+).*/\1/p')
  corpus=$(ls "$work/corpus/$target" | wc -l)
  peak_rss=$(awk '/stat::peak_rss_mb:/ { print $2 }' "$log" | tail -1)
  new_findings=$(( $(ls "fuzz/crashes/$target" | wc -l) - before ))
  outcome=ok
  if grep -q "ERROR: libFuzzer: out-of-memory\|ERROR: libFuzzer: malloc" "$log"; then outcome=oom; fi
  if grep -q "ERROR: libFuzzer: timeout" "$log"; then outcome=timeout; fi
  if grep -q "ERROR: libFuzzer: deadly signal\|ERROR: AddressSanitizer\|loce-fuzz: finding" "$log"; then outcome=crash; fi
  if [ "$new_findings" -gt 0 ] && [ "$outcome" = ok ]; then outcome=finding; fi
  if [ "$code" -ne 0 ] && [ "$outcome" = ok ] && [ "${FUZZ_FORK:-0}" != 1 ]; then outcome="exit-$code"; fi
  rate=$(( executions / (elapsed > 0 ? elapsed : 1) ))

  printf 'fuzz %-13s %6ss %12s execs %8s/s  cov %6s  ft %7s  corpus %5s  rss %5s MiB  %s%s\n' \
    "$target" "$elapsed" "$executions" "$rate" "${cov:-?}" "${ft:-?}" "$corpus" "${peak_rss:-?}" "$outcome" \
    "$( [ "$new_findings" -gt 0 ] && echo " ($new_findings new in fuzz/crashes/$target, log $log)" )"
  printf '{"target": "%s", "date": "%s", "commit": "%s", "seconds": %s, "executions": %s, "exec_per_second": %s, "cov": %s, "ft": %s, "corpus": %s, "peak_rss_mb": %s, "outcome": "%s", "new_findings": %s, "fork": %s, "log": "%s"}\n' \
    "$target" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$commit" "$elapsed" "$executions" "$rate" "${cov:-0}" "${ft:-0}" "$corpus" \
    "${peak_rss:-0}" "$outcome" "$new_findings" "${FUZZ_FORK:-0}" "$log" >>"$work/stats.jsonl"
  if [ "$outcome" != ok ]; then status=1; fi
done
exit $status
