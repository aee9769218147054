// Layer 6 of Shared: COCO and LVIS evaluation, summaries, per-category tables, PR plots.
