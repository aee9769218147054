#!/usr/bin/env python3
"""Runs hotcoco's evaluation (LVIS mode) and one of its analyses, for the analysis cases of
`make bench-eval`; prints one JSON line with a number from the analysis (a check that it ran).

    python3 bench/eval/reference_analysis.py ANALYSIS GT.json RESULTS.json bbox|segm [RESULTS_B.json N_BOOTSTRAP]
ANALYSIS: none (evaluation only), tide (`tide_errors`, hotcoco's own TIDE on its matching),
confusion (`confusion_matrix`, IoU 0.5, score >= 0.3), calibration (`calibration`, 10 bins,
IoU 0.5), bootstrap (both results evaluated, then `hotcoco.compare(n_bootstrap=N, seed=0)`).
"""
import contextlib
import io
import json
import sys


def evaluated(gt, dt_path, iou):
    from hotcoco import COCOeval
    ev = COCOeval(gt, gt.loadRes(dt_path), iou, lvis_style=True)
    ev.run()
    return ev


def main():
    analysis, gt_path, dt_path, iou = sys.argv[1:5]
    import hotcoco
    from hotcoco import COCO
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(gt_path)
        ev = evaluated(gt, dt_path, iou)
        if analysis == "none":
            value = ev.get_results()["AP"]
        elif analysis == "tide":
            value = ev.tide_errors(pos_thr=0.5, bg_thr=0.1)["delta_ap"]["Cls"]
        elif analysis == "confusion":
            value = int(ev.confusion_matrix(iou_thr=0.5, min_score=0.3)["matrix"].sum())
        elif analysis == "calibration":
            value = ev.calibration(n_bins=10, iou_threshold=0.5)["ece"]
        elif analysis == "bootstrap":
            other = evaluated(gt, sys.argv[5], iou)
            result = hotcoco.compare(ev, other, n_bootstrap=int(sys.argv[6]), seed=0)
            value = result["n_bootstrap"]
        else:
            raise SystemExit(f"unknown analysis {analysis}")
    print(json.dumps({"tool": "hotcoco", "analysis": analysis, "value": float(value)}))


if __name__ == "__main__":
    main()
