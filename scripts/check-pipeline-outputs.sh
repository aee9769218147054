#!/usr/bin/env bash
# Checks the outputs of a pipeline run (WORK folder): every stage's file exists and is
# valid. Exits 1 naming the first missing or malformed output. Used by `make test`.
set -euo pipefail
work=${1:?usage: check-pipeline-outputs.sh WORK}
bin=${BIN:-.build/release}

fail() { echo "check-pipeline-outputs: $*" >&2; exit 1; }

for f in data/lvis_v1_train.json data/lvis_v1_val.json shards/train/manifest.json shards/val/manifest.json \
         baseline/checkpoint.safetensors baseline/config.json baseline/log.jsonl baseline/detections.json \
         loce/checkpoint.safetensors loce/config.json loce/log.jsonl loce/detections.json \
         eval-baseline.json eval-baseline.txt eval-loce.json eval-loce.txt results.json \
         confusion-baseline.csv confusion-baseline.png confusion-loce.csv confusion-loce.png tide-baseline.png tide-loce.png; do
  [ -s "$work/$f" ] || fail "$work/$f is missing or empty"
done
"$bin/lvis-prep" verify "$work/shards/train" >/dev/null 2>&1 || fail "$work/shards/train does not verify"
"$bin/lvis-prep" verify "$work/shards/val" >/dev/null 2>&1 || fail "$work/shards/val does not verify"
# The detections file is COCO results JSON that detect-eval accepts, and the results file
# holds both IoU types with the LVIS stats.
for model in baseline loce; do
  "$bin/detect-eval" --gt "$work/data/lvis_v1_val.json" --dt "$work/$model/detections.json" --json >/dev/null \
    || fail "$work/$model/detections.json is not accepted by detect-eval"
done
for key in '"baseline"' '"loce"' '"bbox"' '"segm"' '"APr"' '"APc"' '"APf"' '"AR@300"'; do
  grep -q "$key" "$work/results.json" || fail "$work/results.json lacks $key"
done
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
# The text summaries carry the long-tail confusion view (detect-eval --confusion) and TIDE's
# breakdown for both IoU types (--tide-plot), whose charts are PNGs.
for model in baseline loce; do
  grep -q '^Long-tail confusions' "$work/eval-$model.txt" || fail "$work/eval-$model.txt lacks the long-tail confusions"
  for type in bbox segm; do
    grep -q "^TIDE error breakdown, $type " "$work/eval-$model.txt" || fail "$work/eval-$model.txt lacks the $type TIDE breakdown"
  done
  for png in confusion-$model.png tide-$model.png; do is_png "$work/$png" || fail "$work/$png is not a PNG"; done
done

# The report: report.md and every PNG it links exist and are PNG files.
report=$work/report
[ -s "$report/report.md" ] || fail "$report/report.md is missing or empty"
for png in ap-per-frequency.png pr-baseline.png pr-loce.png tide.png confusion-baseline.png confusion-loce.png long-tail.png detections.png; do
  grep -q "($png)" "$report/report.md" || fail "$report/report.md does not link $png"
  is_png "$report/$png" || fail "$report/$png is missing or not a PNG"
done
grep -q '| baseline' "$report/report.md" && grep -q '| loce' "$report/report.md" || fail "$report/report.md lacks the results table"
# TIDE side by side: a row per model, IoU type and class group (all, r, c, f); the long-tail
# confusions: a totals row per model (rare -> frequent and common -> frequent counts).
for model in baseline loce; do
  for type in bbox segm; do
    for group in all r c f; do
      grep -Eq "^\| $model +\| +$type +\| +$group +\|" "$report/report.md" || fail "$report/report.md lacks the TIDE row $model $type $group"
    done
  done
  grep -Eq "^\| $model +\| +[0-9]+ +\| +([0-9.]+ %|-) +\| +[0-9]+ +\|" "$report/report.md" || fail "$report/report.md lacks $model's long-tail confusion totals"
done
grep -q '^## TIDE error breakdown' "$report/report.md" && grep -q '^## Long-tail confusions' "$report/report.md" \
  || fail "$report/report.md lacks the TIDE or the long-tail confusion section"
grep -q '"mean_score_rare"' "$work/loce/log.jsonl" || fail "$work/loce/log.jsonl lacks the rare group's mean score"
lines=$(wc -l < "$work/baseline/log.jsonl")
[ "$lines" -ge 1 ] || fail "$work/baseline/log.jsonl has no iterations"
echo "check-pipeline-outputs: $work: all stage outputs present and valid ($lines stage-1 iterations logged)" >&2
