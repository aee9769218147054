"""Config presets with their bases applied, for the Python scripts that derive configs.

A preset may name the files it changes with "base" (a path or a list, relative to the file):
objects merge key by key, other values replace, later bases win and the file itself wins
over its bases (the same rules as the tools' ConfigInheritance, Sources/Shared/Support/Config).

    python3 scripts/presets.py pipelines/configs/tiny-loce.json   # prints the resolved config
    sys.path.insert(0, "<repo>/scripts"); from presets import resolve
"""
import json
import os
import sys


def merge(top, bottom):
    result = dict(bottom)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(bottom.get(key), dict):
            result[key] = merge(value, bottom[key])
        else:
            result[key] = value
    return result


def resolve(path, chain=()):
    """The config at `path` as one dict, every base applied, without "base" keys."""
    real = os.path.realpath(path)
    if real in chain or len(chain) >= 8:
        raise ValueError(f"{path}: config bases form a cycle or nest more than 8 deep")
    with open(path) as f:
        config = json.load(f)
    bases = config.pop("base", [])
    result = {}
    for base in [bases] if isinstance(bases, str) else bases:
        result = merge(resolve(os.path.join(os.path.dirname(path), base), chain + (real,)), result)
    return merge(config, result)


if __name__ == "__main__":
    json.dump(resolve(sys.argv[1]), sys.stdout, indent=1)
    print()
