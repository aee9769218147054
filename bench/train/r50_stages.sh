#!/usr/bin/env bash
# r50_stages.sh SHARDS: stage-1 (detect-train) against stage-2 (loce-finetune) images/s on the
# paper's r50-fpn preset, derived as: 800 px short side, batch 2, no pretrained file (speed
# does not depend on the weights), the data's own class count, one balanced warm-up image
# per category. 8 iterations each, the first 3 not counted. SHARDS: a shard folder with
# train/ (e.g. work/tiny/shards after `make pipeline`). Needs the release build. Slow: about
# 5 minutes on 2 cores, 9 GB of memory. Writes work/r50-stages/.
set -euo pipefail
shards=${1:?usage: bench/train/r50_stages.sh SHARDS (a folder with train/)}
cd "$(dirname "$0")/../.."
out=work/r50-stages
rm -rf "$out" && mkdir -p "$out"
python3 - "$out" <<'PY'
import json, sys
sys.path.insert(0, "scripts")
from presets import resolve
out = sys.argv[1]
for src, name in (("pipelines/configs/r50-fpn.json", "stage1.json"), ("pipelines/configs/r50-fpn-loce.json", "stage2.json")):
    c = resolve(src)
    c["backbone"]["pretrained"] = None
    c["roiHeads"]["numClasses"] = None
    c["input"]["trainShortSides"] = [800]
    c["solver"]["imagesPerBatch"] = 2
    if "loce" in c:
        c["loce"]["warmupImagesPerCategory"] = 1
    with open(f"{out}/{name}", "w") as f:
        json.dump(c, f, indent=1)
PY
threads=${THREADS:-2}
.build/release/detect-train fit --config "$out/stage1.json" --train "$shards/train" --out "$out/stage1" \
  --iterations 8 --threads "$threads" --seed 0 --quiet
.build/release/loce-finetune fit --config "$out/stage2.json" --from "$out/stage1/checkpoint.safetensors" \
  --train "$shards/train" --out "$out/stage2" --iterations 8 --threads "$threads" --seed 0 --quiet
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def rate(path):
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()][3:]
    return len(records) / sum(1 / r["images_per_s"] for r in records), [round(r["images_per_s"], 3) for r in records]
one, a = rate(f"{out}/stage1/log.jsonl")
two, b = rate(f"{out}/stage2/log.jsonl")
print(f"r50-fpn, 800 px, batch 2: stage 1 {one:.3f} images/s {a}; stage 2 {two:.3f} images/s {b}; ratio {two / one:.2f}")
PY
