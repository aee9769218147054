#!/usr/bin/env bash
# Do two checkouts train and predict the same bits? For refactors that must not change a
# result: builds nothing, runs each checkout's release tools with its own presets on one
# synthetic dataset (made and converted by the NEW checkout), and compares
#   - every tensor of the stage-1 and stage-2 checkpoints, bit for bit (the metadata holds
#     the resolved config and the tool version, which may differ legitimately),
#   - the losses and learning rates of every logged iteration (not the timings),
#   - predict's results JSON of both models, byte for byte.
#
#   scripts/check-same-outputs.sh OLD_CHECKOUT NEW_CHECKOUT [PRESET] [ITERATIONS] [WORK]
#
# e.g. git worktree add --detach ../base HEAD~1 && (cd ../base && swift build -c release)
#      swift build -c release && scripts/check-same-outputs.sh ../base . tiny 30
# Exit 0 when everything is identical, 1 naming what differs.
set -euo pipefail
old=$(cd "${1:?usage: check-same-outputs.sh OLD_CHECKOUT NEW_CHECKOUT [PRESET] [ITERATIONS] [WORK]}" && pwd)
new=$(cd "${2:?usage: check-same-outputs.sh OLD_CHECKOUT NEW_CHECKOUT [PRESET] [ITERATIONS] [WORK]}" && pwd)
preset=${3:-tiny}
iterations=${4:-30}
work=${5:-work/same-outputs}
threads=${THREADS:-2}
mkdir -p "$work"
work=$(cd "$work" && pwd)

data=$work/data
if [ ! -f "$data/shards-val/manifest.json" ]; then
  rm -rf "$data"
  "$new/.build/release/lvis-prep" synth --out "$data" --seed 1 --train-images 120 --val-images 40 --quiet > /dev/null
  "$new/scripts/convert-shards.sh" "$new/.build/release/lvis-prep" --annotations "$data/lvis_v1_train.json" --images "$data" \
    --out "$data/shards-train" --split train --quiet
  "$new/scripts/convert-shards.sh" "$new/.build/release/lvis-prep" --annotations "$data/lvis_v1_val.json" --images "$data" \
    --out "$data/shards-val" --split val --quiet
fi

for side in old new; do
  root=${!side}
  bin=$root/.build/release
  out=$work/$side
  rm -rf "$out" && mkdir -p "$out"
  echo "check-same-outputs: $side ($root): stage 1, stage 2, predict" >&2
  "$bin/detect-train" fit --config "$root/pipelines/configs/$preset.json" --train "$data/shards-train" --out "$out/baseline" \
    --iterations "$iterations" --seed 1 --threads "$threads" --quiet
  "$bin/loce-finetune" fit --config "$root/pipelines/configs/$preset-loce.json" --from "$out/baseline/checkpoint.safetensors" \
    --train "$data/shards-train" --out "$out/loce" --iterations "$iterations" --seed 1 --threads "$threads" --quiet
  for model in baseline loce; do
    "$bin/detect-train" predict --checkpoint "$out/$model/checkpoint.safetensors" --data "$data/shards-val" \
      --out "$out/$model/detections.json" --threads "$threads" --quiet
  done
done

python3 - "$work/old" "$work/new" <<'PY'
import json, sys
from safetensors.numpy import load_file
old, new = sys.argv[1:3]
problems = []
for model in ("baseline", "loce"):
    a, b = load_file(f"{old}/{model}/checkpoint.safetensors"), load_file(f"{new}/{model}/checkpoint.safetensors")
    if set(a) != set(b):
        problems.append(f"{model}: tensor names differ: {sorted(set(a) ^ set(b))[:5]}")
    for name in sorted(set(a) & set(b)):
        if a[name].dtype != b[name].dtype or a[name].shape != b[name].shape or a[name].tobytes() != b[name].tobytes():
            problems.append(f"{model}: tensor {name} differs")
    def losses(path):
        rows = [json.loads(line) for line in open(path) if line.strip()]
        return [{k: v for k, v in row.items() if k.startswith("loss") or k in ("iteration", "lr")} for row in rows]
    if losses(f"{old}/{model}/log.jsonl") != losses(f"{new}/{model}/log.jsonl"):
        problems.append(f"{model}: logged losses differ")
    if open(f"{old}/{model}/detections.json", "rb").read() != open(f"{new}/{model}/detections.json", "rb").read():
        problems.append(f"{model}: predict's results differ")
    print(f"check-same-outputs: {model}: {len(b)} tensors, {sum(1 for _ in open(f'{new}/{model}/log.jsonl'))} log lines, "
          f"{len(json.load(open(f'{new}/{model}/detections.json')))} detections compared", file=sys.stderr)
for problem in problems[:20]:
    print("check-same-outputs: " + problem, file=sys.stderr)
print("check-same-outputs: " + ("DIFFERENT" if problems else "identical: tensors, losses, results"), file=sys.stderr)
sys.exit(1 if problems else 0)
PY
