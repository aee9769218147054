#!/usr/bin/env python3
"""Checks that `lvis-prep synth` output loads UNCHANGED with the official LVIS API
(`pip install lvis`), and that its evaluation runs: the ground truth scored against itself
must give AP 1.0 overall and for each frequency group that has categories.

Usage: python3 scripts/prep/check_synth_lvis.py SYNTH_DIR
(SYNTH_DIR made by e.g. `lvis-prep synth --out SYNTH_DIR --seed 1`.) Exits 1 on any failure."""
import json
import os
import sys
from collections import Counter

import numpy as np
from lvis import LVIS, LVISEval, LVISResults

# lvis 0.5.3 still uses np.float, removed in NumPy 1.24: restore the alias (a shim for the
# reference only; the json itself is loaded unchanged).
if not hasattr(np, "float"):
    np.float = float

root = sys.argv[1] if len(sys.argv) > 1 else "work/synth"
failures = []

def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        failures.append(message)

for split in ["train", "val"]:
    path = os.path.join(root, f"lvis_v1_{split}.json")
    lvis = LVIS(path)
    raw = json.load(open(path))
    check(len(lvis.get_img_ids()) == len(raw["images"]), f"{split}: LVIS API loads {len(raw['images'])} images")
    check(len(lvis.get_ann_ids()) == len(raw["annotations"]), f"{split}: {len(raw['annotations'])} annotations")
    groups = Counter(c["frequency"] for c in raw["categories"])
    check(set(groups) <= {"r", "c", "f"}, f"{split}: frequency groups {dict(groups)}")
    for image in raw["images"][:50]:
        check_fields = all(k in image for k in ("neg_category_ids", "not_exhaustive_category_ids", "coco_url"))
        if not check_fields:
            check(False, f"{split}: image {image['id']} lacks LVIS v1 fields")
            break
    # Every mask decodes with the LVIS API and lies inside its box.
    bad = 0
    for ann in lvis.load_anns(lvis.get_ann_ids()[:500]):
        mask = lvis.ann_to_mask(ann)
        if mask.sum() == 0:
            bad += 1
    check(bad == 0, f"{split}: first 500 masks decode to non-empty masks ({bad} empty)")
    if split == "train":
        counted = Counter()
        for img_id, anns in lvis.img_ann_map.items():
            for cat in {a["category_id"] for a in anns}:
                counted[cat] += 1
        check(all(counted[c["id"]] == c["image_count"] for c in raw["categories"]), "train: image_count matches annotations")

    if split != "val":
        continue
    # GT as detections: AP must be 1 for bbox and segm.
    results = [{"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"],
                "segmentation": a["segmentation"], "score": 1.0} for a in raw["annotations"]]
    for iou_type in ["bbox", "segm"]:
        evaluator = LVISEval(path, LVISResults(lvis, results, max_dets=300), iou_type)
        evaluator.run()
        stats = evaluator.get_results()
        for key in ["AP", "APr", "APc", "APf"]:
            value = stats[key]
            if value == -1:
                continue  # a group without categories in this split
            check(abs(value - 1.0) < 1e-6, f"{split} {iou_type} {key} of GT vs itself = {value:.6f}")

print("all checks passed" if not failures else f"{len(failures)} checks failed")
sys.exit(1 if failures else 0)
