#!/usr/bin/env bash
# frozen_mask_head.sh [WORK]: what freezing the mask head in stage 2 would buy and cost, on the
# output of `make pipeline` (WORK, default work/tiny: baseline/, loce/, shards/, data/,
# eval-loce.json). Stage 2 trains the whole mask head (docs/method.md §Stage 2); over frozen
# levels its loss reaches nothing else, so a run with it frozen skips the branch and gives the
# same box weights, mean scores and memory, bit for bit. This fine-tunes the preset's *-loce config
# with maskHead moved from trainable to frozen (same seed, same schedule), predicts, evaluates,
# and prints: fine-tuning images/s of both runs against stage 1's (from the runs' logs), whether
# every non-mask tensor of the two checkpoints is identical, and box / mask AP of both.
# Needs the release build and Python 3. About 4 minutes on 2 cores (tiny).
# Writes WORK/loce-frozen-mask/ and WORK/eval-loce-frozen-mask.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-work/tiny}
preset=${PRESET:-tiny}
threads=${THREADS:-2}
seed=${SEED:-1}
out=$work/loce-frozen-mask
for need in "$work/baseline/checkpoint.safetensors" "$work/loce/checkpoint.safetensors" "$work/eval-loce.json"; do
  [ -f "$need" ] || { echo "frozen_mask_head.sh: $need is missing: run 'make pipeline WORK=$work' first" >&2; exit 1; }
done
rm -rf "$out" && mkdir -p "$out"
python3 - "pipelines/configs/$preset-loce.json" "$out/config-in.json" <<'PY'
import json, sys
sys.path.insert(0, "scripts")
from presets import resolve
c = resolve(sys.argv[1])
c["loce"]["trainable"].remove("maskHead")
c["loce"]["frozen"].append("maskHead")
with open(sys.argv[2], "w") as f:
    json.dump(c, f, indent=1)
PY
.build/release/loce-finetune fit --config "$out/config-in.json" --from "$work/baseline/checkpoint.safetensors" \
  --train "$work/shards/train" --out "$out" --seed "$seed" --threads "$threads" --quiet
.build/release/detect-train predict --checkpoint "$out/checkpoint.safetensors" --data "$work/shards/val" \
  --out "$out/detections.json" --threads "$threads" --quiet
.build/release/detect-eval --gt "$work/data/lvis_v1_val.json" --dt "$out/detections.json" --iou-type both --json \
  --threads "$threads" > "$work/eval-loce-frozen-mask.json.tmp"
mv "$work/eval-loce-frozen-mask.json.tmp" "$work/eval-loce-frozen-mask.json"
python3 - "$work" <<'PY'
import json, struct, sys
work = sys.argv[1]

def rate(name):
    with open(f"{work}/{name}/log.jsonl") as f:
        records = [json.loads(line) for line in f if line.strip()]
    batch = json.load(open(f"{work}/{name}/config.json"))["solver"]["imagesPerBatch"]
    return len(records) * batch / sum(batch / r["images_per_s"] for r in records)

def tensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    return {k: data[v["data_offsets"][0]:v["data_offsets"][1]] for k, v in header.items()}

full, frozen = tensors(f"{work}/loce/checkpoint.safetensors"), tensors(f"{work}/loce-frozen-mask/checkpoint.safetensors")
base = tensors(f"{work}/baseline/checkpoint.safetensors")
mask = [k for k in full if "roi_heads.mask_" in k]
others = [k for k in full if "roi_heads.mask_" not in k]
same = all(frozen.get(k) == full[k] for k in others)
unchanged = all(frozen.get(k) == base.get(k) for k in mask if not k.startswith("optimizer."))
stage1, loce, fm = rate("baseline"), rate("loce"), rate("loce-frozen-mask")
print(f"images/s: stage 1 {stage1:.2f}; LOCE {loce:.2f} ({loce / stage1:.2f}x); "
      f"LOCE with the mask head frozen {fm:.2f} ({fm / stage1:.2f}x)")
print(f"every one of the {len(others)} non-mask tensors identical to LOCE's: {same}; "
      f"mask head weights still the baseline's: {unchanged}")
for name in ("baseline", "loce", "loce-frozen-mask"):
    e = json.load(open(f"{work}/eval-{name}.json"))
    row = []
    for kind in ("bbox", "segm"):
        s = e[kind]
        row.append(f"{kind} AP {s['AP']:.3f} APr {s['APr']:.3f} APc {s['APc']:.3f} APf {s['APf']:.3f}")
    print(f"{name:17s} " + "; ".join(row))
PY
