#!/usr/bin/env python3
"""Runs one reference evaluator on a GT / results pair and prints its AP (for the bench).

    python3 bench/eval/reference_eval.py TOOL GT.json RESULTS.json bbox|segm
TOOL: lvis (LVIS API), pycocotools, faster-coco-eval (LVIS mode), hotcoco (LVIS mode).
"""
import contextlib
import io
import json
import sys

import numpy as np

np.float = float  # lvis 0.5.3 on numpy >= 1.24


def main():
    tool, gt_path, dt_path, iou = sys.argv[1:5]
    quiet = io.StringIO()
    if tool == "lvis":
        from lvis import LVIS, LVISEval, LVISResults
        with contextlib.redirect_stdout(quiet):
            gt = LVIS(gt_path)
            ev = LVISEval(gt, LVISResults(gt, dt_path), iou)
            ev.run()
        ap = ev.results["AP"]
    elif tool == "pycocotools":
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval
        with contextlib.redirect_stdout(quiet):
            # LVIS files have no `iscrowd`, which COCOeval reads: add iscrowd = 0.
            gt = COCO()
            with open(gt_path) as f:
                gt.dataset = json.load(f)
            for ann in gt.dataset["annotations"]:
                ann.setdefault("iscrowd", 0)
            gt.createIndex()
            ev = COCOeval(gt, gt.loadRes(dt_path), iou)
            ev.evaluate(); ev.accumulate(); ev.summarize()
        ap = ev.stats[0]
    elif tool == "faster-coco-eval":
        from faster_coco_eval import COCO, COCOeval_faster
        with contextlib.redirect_stdout(quiet):
            gt = COCO(gt_path)
            ev = COCOeval_faster(gt, gt.loadRes(dt_path), iou, lvis_style=True, print_function=lambda *a: None)
            ev.evaluate(); ev.accumulate(); ev.summarize()
        ap = ev.stats[0]
    elif tool == "hotcoco":
        from hotcoco import COCO, COCOeval
        with contextlib.redirect_stdout(quiet):
            gt = COCO(gt_path)
            ev = COCOeval(gt, gt.loadRes(dt_path), iou, lvis_style=True)
            ev.run()
        ap = ev.get_results()["AP"]
    else:
        raise SystemExit(f"unknown tool {tool}")
    print(json.dumps({"tool": tool, "AP": float(ap)}))


if __name__ == "__main__":
    main()
