#!/usr/bin/env python3
"""LVIS-like evaluation data for `make bench-eval`: a ground truth in LVIS v1 format and a
results file with boxes and masks, at a chosen number of images.

Categories are the 1203 real LVIS v1 categories (../shared/data/lvis/lvis_v1_train_cat_info.json,
CC BY 4.0) with their frequency groups; objects are drawn in proportion to the real image
counts, so rare classes are rare. Each image lists negative and not-exhaustive categories.
Detections: jittered copies of the GT (true positives, sometimes with the wrong class) plus
false positives over present, negative and random categories, up to --max-dets per image,
some with zero width (the LVIS API drops them). Masks are octagons (GT) and boxes (results)
encoded by pycocotools, so the files are exactly what a real run would hand over.

    python3 bench/eval/make_lvis_like.py --images 1000 --out work/bench-eval/1k --seed 1
"""
import argparse
import json
import os

import numpy as np
import pycocotools.mask as mask_utils

HERE = os.path.dirname(os.path.abspath(__file__))
CAT_INFO = os.path.join(HERE, "..", "..", "..", "shared", "data", "lvis", "lvis_v1_train_cat_info.json")
WIDTH, HEIGHT = 640, 480


def octagon(x, y, w, h):
    cx, cy = x + w / 2, y + h / 2
    pts = []
    for k in range(8):
        a = np.pi / 8 + k * np.pi / 4
        pts += [round(cx + np.cos(a) * w / 2, 2), round(cy + np.sin(a) * h / 2, 2)]
    return pts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-dets", type=int, default=300)
    parser.add_argument("--mean-dets", type=int, default=120, help="average detections per image")
    parser.add_argument("--no-masks", action="store_true", help="write gt.json and dt_bbox.json only (no dt_segm.json)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)

    cats = json.load(open(CAT_INFO))
    categories = [{"id": c["id"], "name": c["name"], "frequency": c["frequency"], "image_count": c["image_count"],
                   "instance_count": c["instance_count"], "synset": c.get("synset", ""), "synonyms": [c["name"]],
                   "def": ""} for c in cats]
    cat_ids = np.array([c["id"] for c in cats])
    weights = np.array([max(1, c["image_count"]) for c in cats], dtype=np.float64)
    weights /= weights.sum()

    images, anns = [], []
    det_image, det_cat, det_box, det_score = [], [], [], []
    for i in range(args.images):
        image_id = i + 1
        n_gt = int(rng.integers(1, 13))
        classes = rng.choice(cat_ids, size=n_gt, p=weights)
        w = rng.uniform(8, 300, n_gt)
        h = rng.uniform(8, 300, n_gt)
        x = rng.uniform(0, WIDTH - w)
        y = rng.uniform(0, HEIGHT - h)
        present = sorted(set(classes.tolist()))
        for k in range(n_gt):
            box = [round(float(x[k]), 2), round(float(y[k]), 2), round(float(w[k]), 2), round(float(h[k]), 2)]
            anns.append({"id": len(anns) + 1, "image_id": image_id, "category_id": int(classes[k]), "bbox": box,
                         "area": round(float(w[k] * h[k]) * 0.8, 2), "segmentation": [octagon(*box)]})
        negatives = sorted(set(rng.choice(cat_ids, size=8).tolist()) - set(present))
        not_exhaustive = present[:1] if rng.random() < 0.3 else []
        images.append({"id": image_id, "width": WIDTH, "height": HEIGHT,
                       "coco_url": f"http://images.cocodataset.org/val2017/{image_id:012d}.jpg",
                       "neg_category_ids": negatives, "not_exhaustive_category_ids": not_exhaustive})
        # Detections for this image.
        n_det = int(min(args.max_dets, max(1, rng.poisson(args.mean_dets))))
        n_tp = min(n_det, n_gt * 3)
        src = rng.integers(0, n_gt, n_tp)
        jx, jy = rng.normal(0, 0.08, n_tp) * w[src], rng.normal(0, 0.08, n_tp) * h[src]
        sw, sh = rng.uniform(0.85, 1.15, n_tp), rng.uniform(0.85, 1.15, n_tp)
        tp_cat = np.where(rng.random(n_tp) < 0.85, classes[src], rng.choice(cat_ids, size=n_tp, p=weights))
        n_fp = n_det - n_tp
        pool = np.array(present + negatives)
        fp_cat = np.where(rng.random(n_fp) < 0.7, rng.choice(pool, size=n_fp), rng.choice(cat_ids, size=n_fp))
        fw, fh = rng.uniform(4, 250, n_fp), rng.uniform(4, 250, n_fp)
        fx, fy = rng.uniform(0, WIDTH - fw), rng.uniform(0, HEIGHT - fh)
        bx = np.concatenate([np.clip(x[src] + jx, 0, WIDTH - 2), fx])
        by = np.concatenate([np.clip(y[src] + jy, 0, HEIGHT - 2), fy])
        bw = np.concatenate([w[src] * sw, fw])
        bh = np.concatenate([h[src] * sh, fh])
        bw = np.minimum(bw, WIDTH - bx)
        bh = np.minimum(bh, HEIGHT - by)
        zero = rng.random(n_det) < 0.002
        bw[zero] = 0.0
        det_image.append(np.full(n_det, image_id))
        det_cat.append(np.concatenate([tp_cat, fp_cat]))
        det_box.append(np.round(np.stack([bx, by, bw, bh], axis=1), 2))
        det_score.append(np.round(rng.random(n_det), 4))

    with open(os.path.join(args.out, "gt.json"), "w") as f:
        json.dump({"info": {}, "licenses": [], "images": images, "annotations": anns, "categories": categories}, f)

    det_image = np.concatenate(det_image)
    det_cat = np.concatenate(det_cat)
    det_box = np.concatenate(det_box)
    det_score = np.concatenate(det_score)
    order = rng.permutation(len(det_image))  # results arrive in no particular order
    det_image, det_cat, det_box, det_score = det_image[order], det_cat[order], det_box[order], det_score[order]
    rles = None if args.no_masks else mask_utils.frPyObjects(det_box.astype(np.float64), HEIGHT, WIDTH)
    with open(os.path.join(args.out, "dt_bbox.json"), "w") as fb, \
            open(os.devnull if args.no_masks else os.path.join(args.out, "dt_segm.json"), "w") as fs:
        fb.write("[")
        fs.write("[")
        for i in range(len(det_image)):
            sep = "," if i else ""
            b = det_box[i]
            head = f'{sep}{{"image_id":{int(det_image[i])},"category_id":{int(det_cat[i])},"score":{float(det_score[i])!r}'
            fb.write(f'{head},"bbox":[{float(b[0])!r},{float(b[1])!r},{float(b[2])!r},{float(b[3])!r}]}}')
            if rles is not None:
                fs.write(f'{head},"segmentation":{{"size":[{HEIGHT},{WIDTH}],"counts":{json.dumps(rles[i]["counts"].decode())}}}}}')
        fb.write("]")
        fs.write("]")
    print(json.dumps({"images": args.images, "annotations": len(anns), "detections": int(len(det_image))}))


if __name__ == "__main__":
    main()
