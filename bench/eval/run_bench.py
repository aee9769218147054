#!/usr/bin/env python3
"""`make bench-eval`: times detect-eval against the reference evaluators on LVIS-like data.

For each size and IoU type, every tool runs as its own process under `/usr/bin/time -v`
(wall time including loading, peak resident memory). Prints one JSON object per
(case, reference, metric) on stdout: {"bench","case","metric","ours","reference","ratio"},
ratio > 1 meaning detect-eval is better (faster / smaller), measured in the same run.
Also checks that detect-eval's AP equals the LVIS API's where the LVIS API ran.

    python3 bench/eval/run_bench.py --detect-eval .build/release/detect-eval --sizes 1000,5000,20000
"""
import argparse
import json
import os
import subprocess
import sys

from timing import best_of, label, machine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--detect-eval", default=os.path.join(ROOT, ".build", "release", "detect-eval"))
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--iou-types", default="bbox,segm")
    parser.add_argument("--references", default="hotcoco,faster-coco-eval,lvis,pycocotools")
    parser.add_argument("--limits", default="hotcoco=20000,faster-coco-eval=5000,lvis=1000,pycocotools=1000",
                        help="largest size each reference runs at (the Python references take many minutes and GBs "
                             "per size on 2 shared cores; raise them when you have the time)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of detect-eval and hotcoco per case, fastest kept (the Python references run once)")
    parser.add_argument("--data", default=os.path.join(ROOT, "work", "bench-eval"))
    args = parser.parse_args()
    host = machine(args.detect_eval)

    def emit(line):
        print(json.dumps({**line, **host}), flush=True)

    limits = {k: int(v) for k, v in (item.split("=") for item in args.limits.split(",") if item)}
    for images in [int(s) for s in args.sizes.split(",")]:
        folder = os.path.join(args.data, label(images))
        if not os.path.exists(os.path.join(folder, "dt_segm.json")):
            subprocess.run([sys.executable, os.path.join(HERE, "make_lvis_like.py"), "--images", str(images),
                            "--out", folder, "--seed", str(images)], check=True, stdout=sys.stderr)
        gt = os.path.join(folder, "gt.json")
        for iou in args.iou_types.split(","):
            dt = os.path.join(folder, f"dt_{iou}.json")
            ours_s, ours_mb, out = best_of([args.detect_eval, "--gt", gt, "--dt", dt, "--iou-type", iou, "--style", "lvis", "--json"], args.repeat)
            ours_ap = json.loads(out)[iou]["AP"]
            case = f"lvis-like-{label(images)}-{iou}"
            emit({"bench": "eval", "case": case, "metric": "detect-eval AP", "ours": ours_ap,
                  "reference": None, "ratio": None})
            for reference in args.references.split(","):
                if images > limits.get(reference, 1 << 30):
                    continue
                try:
                    ref_s, ref_mb, ref_out = best_of([sys.executable, os.path.join(HERE, "reference_eval.py"), reference, gt, dt, iou],
                                                     args.repeat if reference == "hotcoco" else 1)
                except RuntimeError as error:
                    print(f"run_bench: {reference} failed on {case}: {error}", file=sys.stderr)
                    continue
                ref_ap = json.loads(ref_out.strip().splitlines()[-1])["AP"]
                emit({"bench": "eval", "case": f"{case} vs {reference}", "metric": "wall_s",
                      "ours": round(ours_s, 3), "reference": round(ref_s, 3), "ratio": round(ref_s / ours_s, 2)})
                emit({"bench": "eval", "case": f"{case} vs {reference}", "metric": "peak_rss_mb",
                      "ours": round(ours_mb, 1), "reference": round(ref_mb, 1), "ratio": round(ref_mb / ours_mb, 2)})
                emit({"bench": "eval", "case": f"{case} vs {reference}", "metric": "AP",
                      "ours": ours_ap, "reference": ref_ap, "ratio": None, "exact": ours_ap == ref_ap})


if __name__ == "__main__":
    main()
