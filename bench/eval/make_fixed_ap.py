#!/usr/bin/env python3
"""Fixed AP results for `make bench-eval`: what `detect-train predict --per-class-topk K` writes
on an LVIS-sized val set, the top K box detections of every category over the whole dataset
(no per-image cap), for a ground truth made by make_lvis_like.py.

Per category (all 1203, present in the ground truth or not), K detections: up to 3 jittered
copies of each of its ground-truth instances (true positives, mostly), the rest on random
images, where the federated rules keep them only on images that list the category as
negative (false positives) and drop the others, as in a real Fixed AP run. Scores are
uniform; the file is in no particular order.

    python3 bench/eval/make_fixed_ap.py --gt work/bench-eval/20k/gt.json --out work/bench-eval/20k/dt_fixed_bbox.json --per-category 10000
"""
import argparse
import json
import os

import numpy as np

WIDTH, HEIGHT = 640, 480


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gt", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--per-category", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    gt = json.load(open(args.gt))
    image_ids = np.array([image["id"] for image in gt["images"]])
    by_category = {}
    for ann in gt["annotations"]:
        by_category.setdefault(ann["category_id"], []).append((ann["image_id"], ann["bbox"]))
    k = args.per_category
    columns = []
    for category in (c["id"] for c in gt["categories"]):
        instances = by_category.get(category, [])[: k // 3]
        copies = np.repeat(np.arange(len(instances)), 3) if instances else np.zeros(0, dtype=int)
        n_tp = len(copies)
        boxes = np.array([box for _, box in instances], dtype=np.float64).reshape(-1, 4)[copies]
        jitter = rng.normal(0, 0.08, (n_tp, 2)) * boxes[:, 2:4]
        tp = np.column_stack([boxes[:, 0] + jitter[:, 0], boxes[:, 1] + jitter[:, 1],
                              boxes[:, 2] * rng.uniform(0.85, 1.15, n_tp), boxes[:, 3] * rng.uniform(0.85, 1.15, n_tp)])
        n_fp = k - n_tp
        fw, fh = rng.uniform(4, 250, n_fp), rng.uniform(4, 250, n_fp)
        fp = np.column_stack([rng.uniform(0, WIDTH - fw), rng.uniform(0, HEIGHT - fh), fw, fh])
        images = np.concatenate([np.array([image for image, _ in instances], dtype=np.int64)[copies],
                                 rng.choice(image_ids, size=n_fp)])
        box = np.round(np.clip(np.concatenate([tp, fp]), 0, None), 2)
        box[:, 2] = np.maximum(box[:, 2], 1.0)
        box[:, 3] = np.maximum(box[:, 3], 1.0)
        columns.append((images, np.full(k, category), box, np.round(rng.random(k), 4)))
    images = np.concatenate([c[0] for c in columns])
    categories = np.concatenate([c[1] for c in columns])
    boxes = np.concatenate([c[2] for c in columns])
    scores = np.concatenate([c[3] for c in columns])
    order = rng.permutation(len(images))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    partial = args.out + ".partial"
    with open(partial, "w") as f:
        f.write("[")
        step = 1 << 20
        for start in range(0, len(order), step):
            rows = order[start:start + step]
            f.write(",".join(
                f'{{"image_id":{i},"category_id":{c},"score":{s!r},"bbox":[{b[0]!r},{b[1]!r},{b[2]!r},{b[3]!r}]}}'
                for i, c, s, b in zip(images[rows].tolist(), categories[rows].tolist(), scores[rows].tolist(), boxes[rows].tolist())))
            if start + step < len(order):
                f.write(",")
        f.write("]")
    os.replace(partial, args.out)
    print(json.dumps({"categories": len(gt["categories"]), "per_category": k, "detections": int(len(images))}))


if __name__ == "__main__":
    main()
