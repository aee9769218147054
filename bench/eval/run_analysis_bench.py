#!/usr/bin/env python3
"""`make bench-eval`, analysis cases: what each analysis adds to detect-eval's evaluation, and the
same work in hotcoco 1.3, on the LVIS-like data of run_bench.py (make_lvis_like.py).

Per size and IoU type, whole processes under `/usr/bin/time -v`, the fastest of --repeat rounds
(each round runs every command of the group once, interleaved, so the shared machine's slow
spells fall on all alike):
- detect-eval plain (`--style lvis --json`) and with `--tide`, `--confusion FILE.csv` (bbox
  only: the mask results carry no boxes), `--calibration` (one analysis per run);
- hotcoco plain (`COCOeval(lvis_style=True).run()`) and with `tide_errors`,
  `confusion_matrix`, `calibration` after it;
- bbox only: `detect-eval compare --gt --dt a= --dt b=` without and with `--bootstrap N
  --distinct-images` (hotcoco's resampling rule), against hotcoco's two evaluations and
  `compare(n_bootstrap=N)`. Method b is method a's results with every score multiplied by a
  seeded factor in [0.8, 1.2] (made once, rescore_results.py).
Lines, per analysis: "overhead" (ours = with the analysis, reference = our plain evaluation,
ratio = plain / with: >= 0.67 meets the issue's target of at most +50 %), and "vs hotcoco"
(ours and hotcoco both with the analysis, ratio = hotcoco / ours; hotcoco's own overhead in
"reference_overhead"). hotcoco's TIDE is its own (its matching, not tidecv's), so that line
compares the cost of the same kind of work, not the same numbers.

    python3 bench/eval/run_analysis_bench.py --detect-eval .build/release/detect-eval --sizes 5000
"""
import argparse
import json
import os
import subprocess
import sys

from timing import interleaved, label, machine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ANALYSES = {"tide": ["--tide"], "confusion": ["--confusion", "CSV"], "calibration": ["--calibration"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--detect-eval", default=os.path.join(ROOT, ".build", "release", "detect-eval"))
    parser.add_argument("--sizes", default="5000")
    parser.add_argument("--iou-types", default="bbox,segm")
    parser.add_argument("--analyses", default="tide,confusion,calibration,bootstrap")
    parser.add_argument("--bootstrap", type=int, default=100, help="resamples of the bootstrap case (hotcoco takes about 0.3 s per resample at 5k images)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", default=os.path.join(ROOT, "work", "bench-eval"))
    args = parser.parse_args()
    host = machine(args.detect_eval)

    def emit(line):
        print(json.dumps({**line, **host}), flush=True)

    def hotcoco(*arguments):
        return [sys.executable, os.path.join(HERE, "reference_analysis.py")] + list(arguments)

    wanted = args.analyses.split(",")
    for images in [int(s) for s in args.sizes.split(",")]:
        folder = os.path.join(args.data, label(images))
        if not os.path.exists(os.path.join(folder, "dt_segm.json")):
            subprocess.run([sys.executable, os.path.join(HERE, "make_lvis_like.py"), "--images", str(images),
                            "--out", folder, "--seed", str(images)], check=True, stdout=sys.stderr)
        gt = os.path.join(folder, "gt.json")
        csv = os.path.join(folder, "bench-confusion.csv")
        for iou in args.iou_types.split(","):
            dt = os.path.join(folder, f"dt_{iou}.json")
            base = [args.detect_eval, "--gt", gt, "--dt", dt, "--iou-type", iou, "--style", "lvis", "--json"]
            # The confusion matrix compares boxes: make_lvis_like.py's mask results have none.
            analyses = [a for a in wanted if a in ANALYSES and not (a == "confusion" and iou == "segm")]
            commands = {"ours": base, "hotcoco": hotcoco("none", gt, dt, iou)}
            for analysis in analyses:
                commands["ours " + analysis] = base + [csv if flag == "CSV" else flag for flag in ANALYSES[analysis]]
                commands["hotcoco " + analysis] = hotcoco(analysis, gt, dt, iou)
            times = interleaved(commands, args.repeat)
            plain, reference_plain = times["ours"], times["hotcoco"]
            for analysis in analyses:
                ours, reference = times["ours " + analysis], times["hotcoco " + analysis]
                case = f"lvis-like-{label(images)}-{iou} {ANALYSES[analysis][0]}"
                emit({"bench": "eval", "case": case, "metric": "wall_s, overhead over our plain evaluation",
                      "ours": round(ours, 3), "reference": round(plain, 3), "ratio": round(plain / ours, 2),
                      "overhead": round(ours / plain - 1, 3)})
                emit({"bench": "eval", "case": f"{case} vs hotcoco {analysis}", "metric": "wall_s",
                      "ours": round(ours, 3), "reference": round(reference, 3), "ratio": round(reference / ours, 2),
                      "reference_overhead": round(reference / reference_plain - 1, 3)})
        if "bootstrap" in wanted:
            a = os.path.join(folder, "dt_bbox.json")
            b = os.path.join(folder, "dt_bbox_rescored.json")
            if not os.path.exists(b):
                subprocess.run([sys.executable, os.path.join(HERE, "rescore_results.py"), a, b], check=True, stdout=sys.stderr)
            base = [args.detect_eval, "compare", "--gt", gt, "--dt", "a=" + a, "--dt", "b=" + b, "--iou-type", "bbox", "--style", "lvis"]
            times = interleaved({"ours": base,
                                 "ours bootstrap": base + ["--bootstrap", str(args.bootstrap), "--seed", "0", "--distinct-images"],
                                 "hotcoco a": hotcoco("none", gt, a, "bbox"), "hotcoco b": hotcoco("none", gt, b, "bbox"),
                                 "hotcoco bootstrap": hotcoco("bootstrap", gt, a, "bbox", b, str(args.bootstrap))}, args.repeat)
            plain, ours = times["ours"], times["ours bootstrap"]
            reference_plain, reference = times["hotcoco a"] + times["hotcoco b"], times["hotcoco bootstrap"]
            case = f"lvis-like-{label(images)}-bbox compare --bootstrap {args.bootstrap}"
            emit({"bench": "eval", "case": case, "metric": "wall_s, overhead over compare without --bootstrap",
                  "ours": round(ours, 3), "reference": round(plain, 3), "ratio": round(plain / ours, 2),
                  "overhead": round(ours / plain - 1, 3)})
            emit({"bench": "eval", "case": f"{case} vs hotcoco compare(n_bootstrap={args.bootstrap})", "metric": "wall_s",
                  "ours": round(ours, 3), "reference": round(reference, 3), "ratio": round(reference / ours, 2),
                  "reference_overhead": round(reference / reference_plain - 1, 3)})

if __name__ == "__main__":
    main()
