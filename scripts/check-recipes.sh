#!/usr/bin/env bash
# Shell-level checks of the real-data recipes and the Slurm scripts (run by
# Tests/EndToEndTests/RecipesTests; runnable alone from the repository root):
#   - every script under pipelines/slurm/ and the recipe scripts pass `bash -n` (and
#     ShellCheck, when it is installed);
#   - `make pipeline-lvis-v1 LVIS_ROOT=/nonexistent` (and lvis-v0.5, coco128, bench-prep) stop
#     before any stage with the exact missing files and the official download URLs; the check
#     script itself exits 1, and accepts the committed coco128 subset (Tests/Fixtures);
#   - `make eval-released-lvis-v1` without the released models, json and images lists all of them;
#   - check-ap50.sh passes and fails on the threshold; compare-published.sh reads the APs.
# Needs nothing built (the recipes fail before their first tool runs). Exit 0: all passed.
set -euo pipefail
cd "$(dirname "$0")/.."
failures=0
fail() { echo "check-recipes: FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "check-recipes: ok: $*" >&2; }

scripts=(pipelines/slurm/*.sbatch pipelines/slurm/submit.sh scripts/check-dataset.sh scripts/check-ap50.sh scripts/check-recipes.sh
  scripts/compare-published.sh)
for script in "${scripts[@]}"; do
  if bash -n "$script"; then pass "bash -n $script"; else fail "bash -n $script"; fi
  [ -x "$script" ] || fail "$script is not executable"
done
if command -v shellcheck > /dev/null; then
  if shellcheck "${scripts[@]}"; then pass "shellcheck"; else fail "shellcheck"; fi
else
  echo "check-recipes: shellcheck not installed: skipped" >&2
fi

# make TARGET ARGS... must fail (non-zero), print every EXPECTED line, and never start a stage.
expect_missing() {
  local target=$1; shift
  local -a args=() expected=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
  shift
  expected=("$@")
  local output status=0
  output=$(make --no-print-directory "$target" "${args[@]}" BIN=/nonexistent-bin 2>&1) || status=$?
  [ "$status" -ne 0 ] || fail "make $target ${args[*]} succeeded without its data"
  for line in "${expected[@]}"; do
    grep -qF -- "$line" <<< "$output" || fail "make $target ${args[*]}: output lacks '$line'. Output was:
$output"
  done
  if grep -qE 'swift build|nonexistent-bin/|Traceback|fatal error' <<< "$output"; then
    fail "make $target ${args[*]} started a stage or crashed before explaining the missing data:
$output"
  fi
  pass "make $target ${args[*]}: exit $status, names the missing files"
}

expect_missing pipeline-lvis-v1 LVIS_ROOT=/nonexistent COCO_ROOT=/nonexistent-coco -- \
  "pipeline-lvis-v1: the dataset is not there. Missing:" \
  "/nonexistent/annotations/lvis_v1_train.json" "/nonexistent/annotations/lvis_v1_val.json" \
  "/nonexistent-coco/train2017/" "/nonexistent-coco/val2017/" \
  "https://dl.fbaipublicfiles.com/LVIS/lvis_v1_train.json.zip" "https://dl.fbaipublicfiles.com/LVIS/lvis_v1_val.json.zip" \
  "http://images.cocodataset.org/zips/train2017.zip" "http://images.cocodataset.org/zips/val2017.zip" \
  "lvis-v1-check-data] Error 1"
expect_missing lvis-v1-baseline LVIS_ROOT=/nonexistent -- "/nonexistent/annotations/lvis_v1_train.json"
expect_missing pipeline-lvis-v0.5 LVIS_ROOT=/nonexistent COCO_ROOT=/nonexistent-coco R50_WEIGHTS=/nonexistent-r50.safetensors -- \
  "pipeline-lvis-v0.5: the dataset is not there. Missing:" \
  "/nonexistent/annotations/lvis_v0.5_train.json" "/nonexistent/annotations/lvis_v0.5_val.json" \
  "https://dl.fbaipublicfiles.com/LVIS/lvis_v0.5_train.json.zip" \
  "/nonexistent-r50.safetensors" "scripts/convert_torchvision_resnet50.py"
expect_missing pipeline-coco128 COCO128=/nonexistent -- \
  "pipeline-coco128: the dataset is not there. Missing:" \
  "/nonexistent/annotations/instances_train2017.json" "/nonexistent/train2017/" \
  "git clone --depth 1 https://github.com/developer0hye/COCO128" "make pipeline-coco128 COCO128=/path/to/coco128"
expect_missing bench-prep COCO128=/nonexistent -- \
  "bench-prep: the dataset is not there. Missing:" \
  "/nonexistent/annotations/instances_train2017.json" "/nonexistent/train2017/" \
  "git clone --depth 1 https://github.com/developer0hye/COCO128" "make bench-prep COCO128=/path/to/coco128"
expect_missing eval-released-lvis-v1 RELEASED_DIR=/nonexistent-models LVIS_ROOT=/nonexistent COCO_ROOT=/nonexistent-coco -- \
  "eval-released-lvis-v1: files it needs are not there. Missing:" \
  "/nonexistent-models/loce_mask_rcnn_r50_fpn_normed_mask_mstrain_2x_lvis_v1.pth  https://drive.google.com/file/d/138D2IVc5Z4x1JAKA2WmRf1yhHbxd8Hvk/" \
  "/nonexistent-models/loce_mask_rcnn_r101_fpn_normed_mask_mstrain_2x_lvis_v1.pth  https://drive.google.com/file/d/1lJExnD450fJobXFnS7StO95ohoFshjxW/" \
  "/nonexistent/annotations/lvis_v1_val.json" "https://dl.fbaipublicfiles.com/LVIS/lvis_v1_val.json.zip" \
  "/nonexistent-coco/train2017/" "/nonexistent-coco/val2017/" "http://images.cocodataset.org/zips/train2017.zip" \
  "released-lvis-v1-check] Error 1"
# Only what is missing is listed: with the data there (the coco128 subset standing in), the one model.
output=$(make --no-print-directory released-lvis-v1-check RELEASED_MODELS=loce-r50 RELEASED_DIR=/nonexistent-models \
  RELEASED_VAL_JSON=Tests/Fixtures/coco128-subset/annotations/instances_train2017.json \
  RELEASED_IMAGE_DIRS=Tests/Fixtures/coco128-subset/train2017 2>&1) && fail "released-lvis-v1-check passed without the model"
if grep -qF "/nonexistent-models/loce_mask_rcnn_r50_fpn_normed_mask_mstrain_2x_lvis_v1.pth" <<< "$output" \
   && ! grep -qE "lvis_v1_val.json.zip|train2017.zip|loce_mask_rcnn_r101" <<< "$output"; then
  pass "released-lvis-v1-check lists only the missing model"
else
  fail "released-lvis-v1-check with only the model missing:
$output"
fi

status=0
scripts/check-dataset.sh lvis-v1 /nonexistent /nonexistent 2> /dev/null || status=$?
if [ "$status" -eq 1 ]; then pass "check-dataset.sh exits 1 on missing data"; else fail "check-dataset.sh exited $status, not 1"; fi
subset=Tests/Fixtures/coco128-subset
if scripts/check-dataset.sh coco128 "$subset/annotations/instances_train2017.json" "$subset/train2017"; then
  pass "check-dataset.sh accepts $subset"
else
  fail "check-dataset.sh refuses $subset"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '{\n  "bbox": {\n    "style": "coco",\n    "AP": 0.4,\n    "AP50": 0.625,\n    "per_category": [\n      {"id": 1, "AP50": 0.1}]\n  },\n  "segm": {\n    "AP50": 0.9\n  }\n}\n' > "$tmp/eval.json"
if scripts/check-ap50.sh "$tmp/eval.json" 0.5 > /dev/null; then pass "check-ap50.sh 0.625 >= 0.5"; else fail "check-ap50.sh refused 0.625 >= 0.5"; fi
if scripts/check-ap50.sh "$tmp/eval.json" 0.7 2> /dev/null; then fail "check-ap50.sh accepted 0.625 >= 0.7"; else pass "check-ap50.sh 0.625 < 0.7 fails"; fi
printf '{\n  "bbox": {\n    "AP": 0.27412,\n    "per_category": [\n      {"id": 1, "AP": 0.9}]\n  },\n  "segm": {\n    "AP": 0.2655,\n    "per_category": []\n  }\n}\n' > "$tmp/eval.json"
table=$(scripts/compare-published.sh m="$tmp/eval.json" 27.4 26.6 n="$tmp/eval.json" - -)
if grep -qF "| m | 27.41 | 27.4 | +0.01 | 26.55 | 26.6 | -0.05 |" <<< "$table" && grep -qF "| n | 27.41 | - | - | 26.55 | - | - |" <<< "$table"; then
  pass "compare-published.sh"
else
  fail "compare-published.sh printed:
$table"
fi

[ "$failures" -eq 0 ] || { echo "check-recipes: $failures failure(s)" >&2; exit 1; }
echo "check-recipes: all passed" >&2
