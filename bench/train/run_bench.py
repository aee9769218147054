#!/usr/bin/env python3
"""`make bench-train`: detect-train (tiny preset) against torchvision's Mask R-CNN built to the same preset.

Both sides run on the same machine, in the same run, with the same thread count, alternating
ours / reference `--repeat` times (the machine is shared; best-of is reported, every run is
listed on stderr). Prints one JSON object per case on stdout:
{"bench","case","metric","ours","reference","ratio","cpu","isa","blas_kernel"}, ratio > 1 meaning
detect-train is better (throughput: ours / reference; time and memory: reference / ours); cpu,
isa and blas_kernel name the CPU and the code paths our side ran on (`detect-train --version`).

Inputs (generated once into work/bench-train, git-ignored):
  `lvis-prep synth --seed 7 --train-images 240 --val-images 150`, keeping only the square
  images (256, 288 or 320 px) and their first 6 instances (the reference draws 6 boxes per
  image), converted with `lvis-prep convert --max-size 256,256`: every image is exactly
  256x256. Training uses bench/train/tiny-256-b2.json (tiny.json with input 256/256 and
  batch 2); the batch-4 memory case uses pipelines/configs/tiny.json itself on the unresized
  synthetic images (256-320 px, short side {224,256,288}, long <= 384).
Ours: training images/s from OUT/log.jsonl (iterations after --warmup); inference images/s is
  `detect-train predict --batch 2` over the 46 val images divided by the whole process's wall
  time (start-up, model load and JSON writing included); peak memory is /usr/bin/time's max RSS.
  The GEMM share (perf record) is ours only (reference null: torch's convolutions run in oneDNN
  JIT code and OpenMP spin-waits that perf cannot attribute).
Reference: ../shared/bench/torch_tiny_maskrcnn.py (random 256x256 images, 6 boxes each,
  100 classes; 3 warm-up iterations, then --iters timed iterations, then --iters inference
  batches of the same images in eval mode).

    python3 bench/train/run_bench.py --bin .build/release --threads 2
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BENCH_CONFIG = os.path.join(HERE, "tiny-256-b2.json")
TINY_CONFIG = os.path.join(ROOT, "pipelines", "configs", "tiny.json")
TORCH_SCRIPT = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench", "torch_tiny_maskrcnn.py"))
OBJECTS_PER_IMAGE = 6  # as the reference script draws


def log(message):
    print(f"bench-train: {message}", file=sys.stderr, flush=True)


def timed(command, env=None):
    """Runs under /usr/bin/time -v; returns (wall seconds, max RSS in MiB, stdout)."""
    proc = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}): {proc.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return seconds, rss_kb / 1024.0, proc.stdout


def run(command):
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def prepare(args):
    """Synthetic shards: 256x256 (train, val) and unresized (train, for the batch-4 memory case)."""
    data = args.data
    synth = os.path.join(data, "synth")
    done = all(os.path.exists(os.path.join(data, p, "manifest.json"))
               for p in ("shards-256/train", "shards-256/val", "shards-full/train"))
    if done:
        return
    log(f"generating inputs into {data}")
    shutil.rmtree(synth, ignore_errors=True)
    run([args.lvis_prep, "synth", "--out", synth, "--seed", "7", "--train-images", "240", "--val-images", "150",
         "--threads", str(args.threads), "--quiet"])
    for split in ("train", "val"):
        with open(os.path.join(synth, f"lvis_v1_{split}.json")) as f:
            dataset = json.load(f)
        keep = {image["id"] for image in dataset["images"] if image["width"] == image["height"]}
        dataset["images"] = [image for image in dataset["images"] if image["id"] in keep]
        counts, annotations = {}, []
        for annotation in dataset["annotations"]:
            image = annotation["image_id"]
            if image in keep and counts.get(image, 0) < OBJECTS_PER_IMAGE:
                counts[image] = counts.get(image, 0) + 1
                annotations.append(annotation)
        dataset["annotations"] = annotations
        path = os.path.join(synth, f"square6_{split}.json")
        with open(path, "w") as f:
            json.dump(dataset, f)
        log(f"{split}: {len(dataset['images'])} square images, {len(annotations)} instances (<= {OBJECTS_PER_IMAGE} per image)")
        out = os.path.join(data, "shards-256", split)
        shutil.rmtree(out, ignore_errors=True)
        run([args.lvis_prep, "convert", "--annotations", path, "--images", synth, "--out", out, "--split", split,
             "--max-size", "256,256", "--threads", str(args.threads), "--quiet"])
    out = os.path.join(data, "shards-full", "train")
    shutil.rmtree(out, ignore_errors=True)
    run([args.lvis_prep, "convert", "--annotations", os.path.join(synth, "lvis_v1_train.json"), "--images", synth,
         "--out", out, "--split", "train", "--threads", str(args.threads), "--quiet"])


def ours_fit(args, config, shards, out, iterations, batch=2):
    """detect-train fit; returns (images/s over the iterations after --warmup, max RSS MiB, per-iteration images/s)."""
    shutil.rmtree(out, ignore_errors=True)
    _, rss, _ = timed([args.detect_train, "fit", "--config", config, "--train", shards, "--out", out,
                       "--iterations", str(iterations), "--threads", str(args.threads), "--seed", "0", "--quiet"])
    with open(os.path.join(out, "log.jsonl")) as f:
        records = [json.loads(line) for line in f if line.strip()]
    timed_records = [r for r in records if r["iteration"] > min(args.warmup, len(records) - 1)]
    seconds = sum(batch / r["images_per_s"] for r in timed_records)
    return len(timed_records) * batch / seconds, rss, [r["images_per_s"] for r in timed_records]


def reference_run(args, size, batch, iters):
    """The torch script; returns (train images/s, inference images/s, max RSS MiB)."""
    _, rss, out = timed([sys.executable, args.torch_script, "--size", str(size), "--batch", str(batch),
                         "--iters", str(iters), "--threads", str(args.threads), "--classes", "100"])
    train = float(re.search(r"([\d.]+) train img/s", out).group(1))
    infer = float(re.search(r"([\d.]+) inference img/s", out).group(1))
    return train, infer, rss


def ours_predict(args, checkpoint, shards, out):
    """detect-train predict --batch 2; images/s over the whole process (start-up and model load included)."""
    with open(os.path.join(shards, "manifest.json")) as f:
        images = json.load(f)["counts"]["images"]
    seconds, rss, _ = timed([args.detect_train, "predict", "--checkpoint", checkpoint, "--data", shards, "--out", out,
                             "--batch", "2", "--threads", str(args.threads), "--quiet"])
    with open(out) as f:
        detections = json.load(f)
    return images / seconds, rss, images, len(detections)


GEMM_SYMBOL = re.compile(r"gemm|GEMM|_kernel_(HASWELL|SKYLAKEX|ZEN|SANDYBRIDGE)|mkl_blas|brgemm", re.I)


def gemm_share(args, command):
    """Share of CPU samples (perf record, all threads) in GEMM kernels, packing and BLAS threading."""
    data = os.path.join(args.data, "perf.data")
    proc = subprocess.run(["perf", "record", "-F", "499", "-o", data, "--"] + command,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso,sym", "--stdio"],
                            capture_output=True, text=True, check=True).stdout
    total = gemm = 0.0
    top = []
    for line in report.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)", line)
        if not m:
            continue
        share, dso, symbol = float(m.group(1)), m.group(2), m.group(3)
        total += share
        if GEMM_SYMBOL.search(symbol) or "openblas" in dso.lower() and "thread" in symbol:
            gemm += share
        if len(top) < 12:
            top.append(f"{share:5.1f}% {dso} {symbol[:80]}")
    os.remove(data)
    return gemm / max(total, 1e-9), top


# Which code paths our side ran on (set by main from `detect-train --version`): every line
# says so, since numbers from different CPUs, ISA paths or sgemm kernels are not comparable.
PLATFORM = {}


def platform(detect_train, env=None):
    """{"cpu", "isa", "blas_kernel"} as `detect-train --version` reports them."""
    text = subprocess.run([detect_train, "--version"], capture_output=True, text=True, check=True, env=env).stdout
    kernel = re.search(r"kernel (\S+)", text)
    cpu = re.search(r"^CPU: (.*?) \(([^)]*)\)", text, re.M)
    isa = re.search(r"^Vector code path: (\S+)", text, re.M)
    return {"cpu": cpu.group(1) if cpu else None,
            "isa": isa.group(1) if isa else (cpu.group(2).split(",")[0].strip().lower() if cpu else None),
            "blas_kernel": kernel.group(1) if kernel else None}


def emit(case, metric, ours, reference, higher_is_better):
    ratio = None
    if ours and reference:
        ratio = ours / reference if higher_is_better else reference / ours
    print(json.dumps({"bench": "train", "case": case, "metric": metric,
                      "ours": None if ours is None else round(ours, 3),
                      "reference": None if reference is None else round(reference, 3),
                      "ratio": None if ratio is None else round(ratio, 3), **PLATFORM}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=20, help="timed training iterations / inference batches")
    parser.add_argument("--warmup", type=int, default=5, help="our untimed first iterations (the reference does 3)")
    parser.add_argument("--repeat", type=int, default=2, help="alternating ours/reference runs per case (best kept)")
    parser.add_argument("--no-gemm", action="store_true", help="skip the perf profile (GEMM share)")
    parser.add_argument("--torch-script", default=TORCH_SCRIPT)
    parser.add_argument("--data", default=os.path.join(ROOT, "work", "bench-train"))
    args = parser.parse_args()
    args.lvis_prep = os.path.join(args.bin, "lvis-prep")
    args.detect_train = os.path.join(args.bin, "detect-train")
    PLATFORM.update(platform(args.detect_train))
    log(f"platform: {PLATFORM}")
    os.makedirs(args.data, exist_ok=True)
    prepare(args)
    train256 = os.path.join(args.data, "shards-256", "train")
    val256 = os.path.join(args.data, "shards-256", "val")
    runs = os.path.join(args.data, "runs")
    total = args.warmup + args.iterations

    # Rounds of: our training, the reference (training then inference, one process), our inference
    # (on the checkpoint just written: an untrained model, as the reference's).
    ours_train, ref_train, ref_infer, ours_rss, ref_rss, ours_infer, ours_infer_rss = [], [], [], [], [], [], []
    for k in range(args.repeat):
        ips, rss, per_iteration = ours_fit(args, BENCH_CONFIG, train256, os.path.join(runs, "b2"), total)
        ours_train.append(ips); ours_rss.append(rss)
        log(f"round {k}: ours  {ips:.2f} train img/s, {rss:.0f} MiB; per iteration: "
            + " ".join(f"{x:.2f}" for x in per_iteration))
        tr, inf, rss = reference_run(args, 256, 2, args.iterations)
        ref_train.append(tr); ref_infer.append(inf); ref_rss.append(rss)
        log(f"round {k}: torch {tr:.2f} train img/s, {inf:.2f} inference img/s, {rss:.0f} MiB (training + inference)")
        ips, rss, images, detections = ours_predict(args, os.path.join(runs, "b2", "checkpoint.safetensors"), val256,
                                                    os.path.join(runs, "detections.json"))
        ours_infer.append(ips); ours_infer_rss.append(rss)
        log(f"round {k}: ours  predict {images} images, {detections} detections ({detections / max(images, 1):.0f}/image), "
            f"{ips:.2f} img/s (whole process), {rss:.0f} MiB")
    for name, ours, ref in (("training", ours_train, ref_train), ("inference", ours_infer, ref_infer)):
        log(f"{name} img/s medians: ours {statistics.median(ours):.2f}, torch {statistics.median(ref):.2f} "
            f"(ratio {statistics.median(ours) / statistics.median(ref):.2f})")
    emit("tiny-256-b2", "training images/s", max(ours_train), max(ref_train), True)
    emit("tiny-256-b2", "inference images/s", max(ours_infer), max(ref_infer), True)
    # The reference trains and infers in one process: compare with the larger of our two processes.
    log(f"peak RSS MiB: ours fit {min(ours_rss):.0f}, ours predict {min(ours_infer_rss):.0f}, torch (both) {min(ref_rss):.0f}")
    emit("tiny-256-b2", "peak RSS MiB (training + inference)", max(min(ours_rss), min(ours_infer_rss)), min(ref_rss), False)

    # Peak memory of the tiny preset itself at batch 4 (target <= 2 GB).
    ips4, rss4, _ = ours_fit(args, TINY_CONFIG, os.path.join(args.data, "shards-full", "train"),
                             os.path.join(runs, "b4"), 8, batch=4)
    tr4, _, ref_rss4 = reference_run(args, 288, 4, 3)
    log(f"tiny batch 4 (8 iterations): ours {rss4:.0f} MiB ({ips4:.2f} train img/s after warm-up); torch "
        f"288x288 batch 4: {ref_rss4:.0f} MiB ({tr4:.2f} train img/s); target <= 2048 MiB: "
        + ("met" if rss4 <= 2048 else "MISSED"))
    emit("tiny-b4", "training peak RSS MiB (reference: + 3 inference batches)", rss4, ref_rss4, False)

    # Share of CPU time in GEMM (perf record over a separate, untimed 10-iteration run). Ours only:
    # torch's convolutions run in oneDNN JIT code and OpenMP spin-waits that perf cannot attribute.
    if not args.no_gemm:
        try:
            shutil.rmtree(os.path.join(runs, "perf"), ignore_errors=True)
            ours_share, ours_top = gemm_share(args, [args.detect_train, "fit", "--config", BENCH_CONFIG, "--train", train256,
                                                      "--out", os.path.join(runs, "perf"), "--iterations", "10",
                                                      "--threads", str(args.threads), "--seed", "0", "--quiet"])
            log("ours, top symbols:\n  " + "\n  ".join(ours_top))
            emit("tiny-256-b2", "share of CPU time in GEMM (perf)", ours_share, None, True)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
            log(f"GEMM share skipped: {error}")

    # Stage-2 fine-tuning: loce-finetune images/s against our stage-1 training images/s
    # (target >= 2x), from the last round's checkpoint, when the tool has a `fit`.
    finetune = os.path.join(args.bin, "loce-finetune")
    loce_config = os.path.join(ROOT, "pipelines", "configs", "tiny-loce.json")
    probe = subprocess.run([finetune, "fit", "--help"], capture_output=True, text=True) if os.path.exists(finetune) else None
    if probe is None or probe.returncode != 0 or not os.path.exists(loce_config):
        log("loce-finetune fit (or pipelines/configs/tiny-loce.json) not there yet: fine-tuning images/s skipped")
        return
    try:
        sys.path.insert(0, os.path.join(ROOT, "scripts"))
        from presets import merge, resolve
        smaller = {"input": {"trainShortSides": [256], "trainMaxLongSide": 256, "testMaxLongSide": 256},
                   "solver": {"imagesPerBatch": 2}}
        derived = os.path.join(args.data, "tiny-loce-256-b2.json")
        with open(derived, "w") as f:
            json.dump(dict(base=os.path.abspath(loce_config), **smaller), f, indent=1)
        # What stage 2 (docs/method.md §Stage 2) costs with the mask head frozen too (not the method: its trade-off,
        # measured; box weights come out identical, only the mask head differs).
        frozen_mask = merge(smaller, resolve(loce_config))
        frozen_mask["loce"]["trainable"].remove("maskHead")
        frozen_mask["loce"]["frozen"].append("maskHead")
        derived_frozen = os.path.join(args.data, "tiny-loce-256-b2-frozen-mask.json")
        with open(derived_frozen, "w") as f:
            json.dump(frozen_mask, f, indent=1)
        # Stage 1's work from the same checkpoint (every part trained, plain cross-entropy, no
        # memory): the stage-1 runs above start from scratch, whose RPN proposes fewer positive
        # RoIs (so a cheaper mask head); this compares the stages at equal positives.
        stage1_work = json.loads(text)
        stage1_work["loce"]["trainable"] += stage1_work["loce"]["frozen"]
        stage1_work["loce"]["frozen"] = []
        stage1_work["loce"]["ablation"]["memorySampling"] = False
        stage1_work["loce"]["ablation"]["equilibriumLoss"] = False
        derived_stage1 = os.path.join(args.data, "tiny-loce-256-b2-stage1-work.json")
        with open(derived_stage1, "w") as f:
            json.dump(stage1_work, f, indent=1)

        def finetune_rate(config, name):
            out = os.path.join(runs, name)
            shutil.rmtree(out, ignore_errors=True)
            _, rss, _ = timed([finetune, "fit", "--config", config, "--from", os.path.join(runs, "b2", "checkpoint.safetensors"),
                               "--train", train256, "--out", out, "--iterations", str(total), "--threads", str(args.threads),
                               "--seed", "0", "--quiet"])
            with open(os.path.join(out, "log.jsonl")) as f:
                records = [json.loads(line) for line in f if line.strip()]
            timed_records = [r for r in records if r["iteration"] > min(args.warmup, len(records) - 1)]
            return len(timed_records) * 2 / sum(2 / r["images_per_s"] for r in timed_records), rss, timed_records

        # As many runs as stage 1 had rounds, the best kept: the same treatment on both sides.
        finetune_ips, frozen_ips, stage1_work_ips = [], [], []
        for k in range(args.repeat):
            ips, rss, timed_records = finetune_rate(derived, "loce")
            finetune_ips.append(ips)
            log(f"round {k}: loce-finetune {ips:.2f} img/s after warm-up, {rss:.0f} MiB; per iteration: "
                + " ".join(f"{r['images_per_s']:.2f}" for r in timed_records))
            ips, _, _ = finetune_rate(derived_frozen, "loce-frozen-mask")
            frozen_ips.append(ips)
            log(f"round {k}: loce-finetune, mask head frozen, {ips:.2f} img/s after warm-up")
            ips, _, _ = finetune_rate(derived_stage1, "stage1-work")
            stage1_work_ips.append(ips)
            log(f"round {k}: stage 1's work from the same checkpoint, {ips:.2f} img/s after warm-up")
        log(f"fine-tuning img/s median {statistics.median(finetune_ips):.2f} (mask head frozen: {statistics.median(frozen_ips):.2f}) "
            f"against stage-1 training median {statistics.median(ours_train):.2f} (ratios "
            f"{statistics.median(finetune_ips) / statistics.median(ours_train):.2f}, "
            f"{statistics.median(frozen_ips) / statistics.median(ours_train):.2f}); against stage 1's work from the same "
            f"checkpoint {statistics.median(stage1_work_ips):.2f} "
            f"({statistics.median(finetune_ips) / statistics.median(stage1_work_ips):.2f})")
        emit("tiny-256-b2", "fine-tuning images/s (reference: our stage-1 training)", max(finetune_ips), max(ours_train), True)
        emit("tiny-256-b2", "fine-tuning images/s with the mask head frozen too (reference: our stage-1 training)",
             max(frozen_ips), max(ours_train), True)
        emit("tiny-256-b2", "fine-tuning images/s (reference: stage 1's work from the same checkpoint, equal positives)",
             max(finetune_ips), max(stage1_work_ips), True)
    except (RuntimeError, OSError, KeyError, ValueError, ZeroDivisionError) as error:
        log(f"loce-finetune bench failed: {error}")

if __name__ == "__main__":
    main()
