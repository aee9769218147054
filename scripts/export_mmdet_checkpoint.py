#!/usr/bin/env python3
"""Our detector checkpoint (.safetensors) -> an mmdetection 2.x Mask R-CNN checkpoint (.pth),
the inverse of `detect-train import --format mmdet`.

What it is for: checking the import on a model whose accuracy is known (docs/results.md,
"Stage 2 from an imported stage-1 model": our stage-1 model goes out as mmdetection's file and
comes back through `detect-train import`), and handing one of our models to mmdetection-based
code. The product never needs it (no Python there).

The file is what mmdetection 2.x's `save_checkpoint` writes: {"meta": {"mmdet_version",
"CLASSES", "config", "epoch", "iter"}, "state_dict": OrderedDict}. Names follow mmdetection's
modules: ResNet `backbone.conv1` / `gn1` (GroupNorm) or `bn1` (frozen BatchNorm, with running
statistics), `layerK.B.convI/gnI`, `downsample.0/.1`; FPN `neck.lateral_convs.i.conv`,
`neck.fpn_convs.i.conv`; `rpn_head.rpn_conv/rpn_cls/rpn_reg`; Shared2FCBBoxHead
`roi_head.bbox_head.shared_fcs.i`, `fc_cls` (background last, as ours), `fc_reg`; FCNMaskHead /
LOCE's FCNNormMaskHead `roi_head.mask_head.convs.i.conv`, `upsample`, `conv_logits`. The meta
config text says the ResNet's depth, widths and norm (GN num_groups) and the mask head type,
which is what `detect-train import` reads from it. Optimizer momentum and LOCE state are not
exported (mmdetection's Mask R-CNN has no place for them).

Usage: python3 scripts/export_mmdet_checkpoint.py MODEL.safetensors OUT.pth   (needs torch, numpy)
"""
import json, os, struct, sys
from collections import OrderedDict

try:
    import numpy as np
    import torch
except ImportError as error:
    sys.exit("export_mmdet_checkpoint.py: %s; it writes PyTorch's format and needs torch and numpy "
             "(pip install torch numpy); the tools themselves never need Python" % error)

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8}


def read_safetensors(path):
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        if length > size - 8:
            raise ValueError("its first 8 bytes announce a %d-byte header in a %d-byte file" % (length, size))
        header = json.loads(f.read(length))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = OrderedDict()
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        start, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors, metadata


def mmdet_name(ours, norm):
    """Our parameter name -> mmdetection 2.x's (None for what mmdetection has no place for)."""
    parts = ours.split(".")
    last = parts.pop()
    if parts[0] == "backbone" and parts[1] == "stem":
        parts = ["backbone", "conv1" if parts[2] == "conv" else norm + "1"]
    elif parts[0] == "backbone":
        block = ["backbone", "layer%d" % (int(parts[1][3:]) - 1), parts[2]]
        if parts[3] == "shortcut":
            parts = block + ["downsample", "0" if parts[4] == "conv" else "1"]
        elif parts[3].startswith("norm"):
            parts = block + [norm + parts[3][4:]]
        else:
            parts = block + [parts[3]]
    elif parts[0] == "fpn":
        parts = ["neck", "lateral_convs" if parts[1] == "lateral" else "fpn_convs", str(int(parts[2]) - 2), "conv"]
    elif parts[0] == "rpn":
        parts = ["rpn_head", {"conv": "rpn_conv", "objectness": "rpn_cls", "deltas": "rpn_reg"}[parts[1]]]
    elif parts[:2] == ["roi_heads", "box_head"]:
        parts = ["roi_head", "bbox_head", "shared_fcs", str(int(parts[2][2:]) - 1)]
    elif parts[:2] == ["roi_heads", "box_predictor"]:
        parts = ["roi_head", "bbox_head", "fc_cls" if parts[2] == "cls_score" else "fc_reg"]
    elif parts[:2] == ["roi_heads", "mask_head"]:
        parts = (["roi_head", "mask_head", "upsample"] if parts[2] == "deconv"
                 else ["roi_head", "mask_head", "convs", str(int(parts[2][4:]) - 1), "conv"])
    elif parts[:2] == ["roi_heads", "mask_predictor"]:
        parts = ["roi_head", "mask_head", "conv_logits"]
    else:
        return None
    return ".".join(parts + [last])


def depth(backbone):
    blocks = sum(backbone["stageBlocks"])
    return blocks * (3 if backbone["block"] == "Bottleneck" else 2) + 2


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("Usage: ")[1])
    source, out = sys.argv[1], sys.argv[2]
    try:
        tensors, metadata = read_safetensors(source)
        config = json.loads(metadata["config"])
    except (OSError, ValueError, KeyError) as error:
        sys.exit("export_mmdet_checkpoint.py: %s: not one of our detector checkpoints (%s: %s)"
                 % (source, type(error).__name__, error))
    backbone, mask_head = config["backbone"], config["roiHeads"]["maskHead"]
    gn = backbone["norm"] == "GroupNorm"
    norm = "gn" if gn else "bn"
    state = OrderedDict()
    skipped = []
    for name, values in tensors.items():
        theirs = mmdet_name(name, norm)
        if theirs is None or values.dtype != np.float32:
            skipped.append(name)
            continue
        state[theirs] = torch.from_numpy(values.copy())
    ids = json.loads(metadata["category_ids"])
    names = json.loads(metadata["category_names"]) if "category_names" in metadata else [str(i) for i in ids]
    norm_cfg = ("dict(type='GN', num_groups=%d, requires_grad=True)" % backbone["groups"]) if gn \
        else "dict(type='BN', requires_grad=False)"
    text = ("model = dict(type='MaskRCNN', backbone=dict(type='ResNet', depth=%d, stem_channels=%d, base_channels=%d, "
            "num_stages=4, stage_blocks=%s, norm_cfg=%s, style='pytorch'), "
            "neck=dict(type='FPN', out_channels=%d, num_outs=5), "
            "roi_head=dict(type='StandardRoIHead', bbox_head=dict(type='Shared2FCBBoxHead', fc_out_channels=%d, num_classes=%d), "
            "mask_head=dict(type='%s', num_convs=%d, conv_out_channels=%d, num_classes=%d)))\n"
            % (depth(backbone), backbone["stemWidth"], backbone["stageWidths"][0] // (4 if backbone["block"] == "Bottleneck" else 1),
               tuple(backbone["stageBlocks"]), norm_cfg, config["fpn"]["channels"], config["roiHeads"]["boxHead"]["fcDim"],
               len(ids), "FCNNormMaskHead" if mask_head["classifier"] == "normed" else "FCNMaskHead",
               mask_head["convCount"], mask_head["convDim"], len(ids)))
    meta = {"mmdet_version": "2.8.0", "CLASSES": tuple(names), "config": text, "epoch": 0, "iter": 0,
            "exported_from": source}
    torch.save({"meta": meta, "state_dict": state}, out)
    print("%s: %d tensors (%s) -> %s; not exported: %d (%s)" % (source, len(state), "GN" if gn else "BN", out, len(skipped),
                                                               ", ".join(sorted({s.split(".")[0] for s in skipped})) or "none"),
          file=sys.stderr)


if __name__ == "__main__":
    main()
