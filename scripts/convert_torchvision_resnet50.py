#!/usr/bin/env python3
"""Convert a torchvision ResNet-50 state dict to safetensors with our parameter names.

This is how pretrained weights enter the `r50-fpn` preset (docs/method.md §Stage 1: ImageNet-
pretrained ResNet-50, frozen BatchNorm). The output is a plain weights file (no
optimizer state) that `detect-train fit --pretrained FILE` style loaders read with
`TrainingCheckpoint.loadWeights(_:path:into:requireAll: false)`.

Usage
    pip install torch torchvision safetensors
    # from a saved state dict (.pth / .pt, e.g. the torchvision ImageNet checkpoint
    # resnet50-0676ba61.pth downloaded on another machine):
    python3 scripts/convert_torchvision_resnet50.py --input resnet50-0676ba61.pth --output r50.safetensors
    # from torchvision directly (weights=None gives a randomly initialised model, useful
    # for tests; --weights IMAGENET1K_V1 needs the torchvision weight cache or internet):
    python3 scripts/convert_torchvision_resnet50.py --weights none --output r50-random.safetensors

Naming scheme (agreed with SharedNN's layers and Detection/Model/Backbone):
    conv1.weight                          -> backbone.stem.conv.weight
    bn1.{weight,bias,running_mean,running_var}
                                          -> backbone.stem.norm.{weight,bias,running_mean,running_var}
    layer{k}.{i}.conv{j}.weight           -> backbone.res{k+1}.{i}.conv{j}.weight
    layer{k}.{i}.bn{j}.*                  -> backbone.res{k+1}.{i}.norm{j}.*
    layer{k}.{i}.downsample.0.weight      -> backbone.res{k+1}.{i}.shortcut.conv.weight
    layer{k}.{i}.downsample.1.*           -> backbone.res{k+1}.{i}.shortcut.norm.*
    *.num_batches_tracked, fc.*           -> dropped (not used by a detector backbone)
BatchNorm is stored unfolded (weight, bias, running_mean, running_var, all float32);
`FrozenBatchNormLayer` folds it to scale/shift (eps 1e-5) when it runs. `--prefix`
changes the leading "backbone.".

The file's metadata holds format = "loce-weights", source (the input), arch = "resnet50"
and mapping_version = "1". The script re-reads the file it wrote and checks every tensor
bit-for-bit against the source state dict before it exits 0.
"""
import argparse
import re
import sys

import torch
from safetensors.torch import load_file, save_file

BLOCK = re.compile(r"^layer([1-4])\.(\d+)\.(conv[123]\.weight|bn[123]\.\w+|downsample\.[01]\.\w+)$")
STEM = re.compile(r"^(conv1\.weight|bn1\.\w+)$")


def our_name(name, prefix):
    """Our parameter name for a torchvision ResNet key, or None if the key is dropped."""
    if name.endswith("num_batches_tracked") or name.startswith("fc."):
        return None
    if STEM.match(name):
        if name == "conv1.weight":
            return f"{prefix}stem.conv.weight"
        return f"{prefix}stem.norm.{name.split('.', 1)[1]}"
    match = BLOCK.match(name)
    if not match:
        raise ValueError(f"unexpected key in a ResNet-50 state dict: {name}")
    stage, block, rest = int(match.group(1)) + 1, match.group(2), match.group(3)
    head, _, field = rest.partition(".")
    if head.startswith("conv"):
        return f"{prefix}res{stage}.{block}.{head}.{field}"
    if head.startswith("bn"):
        return f"{prefix}res{stage}.{block}.norm{head[2:]}.{field}"
    index, _, field = field.partition(".")
    part = "conv" if index == "0" else "norm"
    return f"{prefix}res{stage}.{block}.shortcut.{part}.{field}"


def load_state_dict(args):
    if args.input:
        state = torch.load(args.input, map_location="cpu", weights_only=True)
        if isinstance(state, dict) and "state_dict" in state:
            state = state["state_dict"]
        if isinstance(state, dict) and "model" in state:
            state = state["model"]
        return state, args.input
    import torchvision
    weights = None if args.weights.lower() == "none" else args.weights
    model = torchvision.models.resnet50(weights=weights)
    return model.state_dict(), f"torchvision.models.resnet50(weights={weights})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", help="a .pth/.pt file holding a ResNet-50 state dict")
    parser.add_argument("--weights", default="none", help="torchvision weights enum name when --input is absent (default: none)")
    parser.add_argument("--output", required=True, help="the safetensors file to write")
    parser.add_argument("--prefix", default="backbone.", help='name prefix (default "backbone.")')
    args = parser.parse_args()

    state, source = load_state_dict(args)
    tensors = {}
    for name, value in state.items():
        if name.startswith("module."):
            name = name[len("module."):]
        target = our_name(name, args.prefix)
        if target is None:
            continue
        tensors[target] = value.detach().to(torch.float32).contiguous().clone()
    expected_convs = 1 + 3 * (3 + 4 + 6 + 3) + 4
    convs = sum(1 for k in tensors if k.endswith(".conv.weight") or re.search(r"\.conv[123]\.weight$", k))
    if convs != expected_convs:
        sys.exit(f"error: found {convs} convolutions, a ResNet-50 has {expected_convs}; is {source} a ResNet-50?")
    save_file(tensors, args.output, metadata={"format": "loce-weights", "source": source, "arch": "resnet50",
                                              "mapping_version": "1"})
    back = load_file(args.output)
    for name, value in tensors.items():
        if not torch.equal(back[name], value):
            sys.exit(f"error: {name} differs after writing {args.output}")
    total = sum(v.numel() for v in tensors.values())
    print(f"wrote {args.output}: {len(tensors)} tensors, {total} floats, from {source}")


if __name__ == "__main__":
    main()
