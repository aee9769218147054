#!/usr/bin/env python3
"""Where the time of a training iteration goes, stage 1 against stage 2, on a trained model.

    python3 bench/train/stage_phases.py [--work work/tiny] [--preset tiny] [--iterations 30]

Runs `loce-finetune fit --profile` from the baseline checkpoint of a `make pipeline` work folder
(WORK/baseline/checkpoint.safetensors, WORK/shards/train) three times, `--iterations` each, with
the preset's *-loce config changed only as each column says:

  stage 1  every part trainable, plain cross-entropy, no memory (ablation switches off): stage 1's
           work (`detect-train fit`) on a model whose RPN already proposes good boxes, so both
           stages see as many positive RoIs (a stage-1 run from scratch sees few at first);
  stage 2  the preset as it is (docs/method.md §Stage 2: RPN head, classifier, regressor,
           mask head trained);
  stage 2, mask head frozen   maskHead moved from `trainable` to `frozen` (its branch is skipped).

Every run does the balanced warm-up pass with one image per category (it is not timed per
iteration). Prints a markdown table of the mean milliseconds of each phase (`phases_ms` in the
runs' log.jsonl) over the iterations after --skip, the sums, the images/s they imply and the
ratio to stage 1. Needs the release build (.build/release) and a finished `make pipeline`.
Writes WORK/phases/.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PHASES = ["data", "backbone_fpn_forward", "rpn", "proposals", "box_head", "mask_head", "backward", "optimizer"]


def derived_config(preset, column):
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    from presets import resolve
    config = resolve(os.path.join(ROOT, "pipelines", "configs", f"{preset}-loce.json"))
    loce = config["loce"]
    loce["warmupImagesPerCategory"] = 1
    if column == "stage 1":
        loce["trainable"] = loce["trainable"] + loce["frozen"]
        loce["frozen"] = []
        loce["ablation"]["memorySampling"] = False
        loce["ablation"]["equilibriumLoss"] = False
    elif column == "stage 2, mask head frozen":
        loce["trainable"].remove("maskHead")
        loce["frozen"].append("maskHead")
    return config


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default=os.path.join(ROOT, "work", "tiny"))
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"))
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--skip", type=int, default=5, help="first iterations not counted")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    baseline = os.path.join(args.work, "baseline", "checkpoint.safetensors")
    train = os.path.join(args.work, "shards", "train")
    for need in (baseline, os.path.join(train, "manifest.json")):
        if not os.path.exists(need):
            sys.exit(f"stage_phases.py: {need} is missing: run 'make pipeline' (WORK={args.work}) first")
    out = os.path.join(args.work, "phases")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    columns = ["stage 1", "stage 2", "stage 2, mask head frozen"]
    means = {}
    for index, column in enumerate(columns):
        config_path = os.path.join(out, f"config-{index}.json")
        with open(config_path, "w") as f:
            json.dump(derived_config(args.preset, column), f, indent=1)
        run = os.path.join(out, f"run-{index}")
        print(f"stage_phases.py: {column}: {args.iterations} iterations", file=sys.stderr, flush=True)
        subprocess.run([os.path.join(args.bin, "loce-finetune"), "fit", "--config", config_path, "--from", baseline,
                        "--train", train, "--out", run, "--iterations", str(args.iterations),
                        "--threads", str(args.threads), "--profile", "--quiet"], check=True)
        with open(os.path.join(run, "log.jsonl")) as f:
            rows = [json.loads(line) for line in f if line.strip()][args.skip:]
        if not rows:
            sys.exit(f"stage_phases.py: no iteration after --skip {args.skip}")
        means[column] = {phase: statistics.mean(row["phases_ms"][phase] for row in rows) for phase in PHASES}
    batch = derived_config(args.preset, "stage 2")["solver"]["imagesPerBatch"]
    print(f"| phase (ms per iteration, mean of iterations {args.skip + 1}-{args.iterations}) | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for phase in PHASES:
        print(f"| {phase} | " + " | ".join(f"{means[c][phase]:.1f}" for c in columns) + " |")
    totals = {c: sum(means[c].values()) for c in columns}
    print("| total | " + " | ".join(f"{totals[c]:.1f}" for c in columns) + " |")
    print("| images/s | " + " | ".join(f"{1000 * batch / totals[c]:.2f}" for c in columns) + " |")
    print("| vs stage 1 | " + " | ".join(f"{totals['stage 1'] / totals[c]:.2f}x" for c in columns) + " |")


if __name__ == "__main__":
    main()
