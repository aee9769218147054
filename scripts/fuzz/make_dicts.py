#!/usr/bin/env python3
"""Writes the libFuzzer dictionaries fuzz/dict/TARGET.dict (run-campaign.sh passes -dict= when
one exists): JSON syntax and number/escape edge cases for every JSON target, plus the keys
each reader looks for; the config dictionary takes every key and string value of the
preset configs, so rerun this after adding config fields.

    python3 scripts/fuzz/make_dicts.py
"""
import glob
import json

JSON_TOKENS = [
    "{", "}", "[", "]", ",", ":", '"', "true", "false", "null", "NaN", "Infinity", "-Infinity", "-0", "0.0",
    "1e400", "-1e-400", "4.9e-324", "1.7976931348623157e308", "9223372036854775807", "9223372036854775808",
    "-9223372036854775809", "18446744073709551616", "4611686018427387904", "4294967296", "4294967295", "3037000500",
    "2147483648", "2147483647", "9007199254740993", "65536", "1000001", "-1", "1e19",
    "\\u0000", "\\ud800", "\\udc00", "\\ud83d\\ude00", '\\"', "\\\\", "\\/", b"\xef\xbb\xbf",
]
GROUND_TRUTH_KEYS = [
    "images", "annotations", "categories", "id", "image_id", "category_id", "bbox", "area", "iscrowd", "ignore",
    "segmentation", "size", "counts", "width", "height", "file_name", "coco_url", "neg_category_ids",
    "not_exhaustive_category_ids", "frequency", "image_count", "instance_count", "synset", "name", "info", "licenses",
]
RESULT_KEYS = ["image_id", "category_id", "score", "bbox", "segmentation", "size", "counts"]
SAFETENSORS_WORDS = [
    "dtype", "shape", "data_offsets", "__metadata__", "F32", "F64", "F16", "BF16", "I64", "I32", "U64", "U8", "BOOL",
    "format", "loce-checkpoint", "format_version", "data_crc32", "state.step", "state.rng", "head.weight", "head.bias",
    "optimizer.momentum.head.weight",
]

# The "torch" target reads binary files: zip signatures, pickle headers and opcodes, the
# allow-listed globals as GLOBAL opcodes, the legacy magic number, the names it looks for.
TORCH_TOKENS = [
    b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07", b"\x80\x02", b"\x80\x04", b"\x80\x05",
    b"\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", b"M\xe9\x03", b"\xff\xff\xff\xff", b"\x00\x00\x00\x80",
    "archive/data.pkl", "archive/byteorder", "archive/data/0", "little", "big", "storage", "cpu", "state_dict", "model",
    "blobs", "little_endian", "f4", "<", ">", "latin1", "C", "F",
    "ctorch._utils\n_rebuild_tensor_v2\n", "ctorch._utils\n_rebuild_parameter\n", "ccollections\nOrderedDict\n",
    "ccollections\nCounter\n", "ctorch\nFloatStorage\n", "ctorch\nLongStorage\n", "ctorch\nHalfStorage\n",
    "ctorch\nBFloat16Storage\n", "cnumpy.core.multiarray\n_reconstruct\n", "cnumpy\nndarray\n", "cnumpy\ndtype\n",
    "cnumpy._core.multiarray\nscalar\n", "c_codecs\nencode\n", "numpy._core.numeric", "_frombuffer", "cos\nsystem\n",
]


def quoted(token):
    data = token if isinstance(token, bytes) else token.encode()
    return '"' + "".join(chr(b) if 0x20 <= b <= 0x7E and b not in (0x22, 0x5C) else "\\x%02X" % b for b in data) + '"'


def write(target, about, tokens):
    unique = list(dict.fromkeys(tokens))
    with open(f"fuzz/dict/{target}.dict", "w") as file:
        file.write(f'# libFuzzer dictionary of the "{target}" target: {about} (scripts/fuzz/make_dicts.py)\n')
        file.writelines(quoted(token) + "\n" for token in unique)


def config_words():
    words = set()

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                words.add(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            words.add(value)

    for path in sorted(glob.glob("pipelines/configs/*.json") + glob.glob("pipelines/configs/parts/*.json")):
        with open(path) as file:
            walk(json.load(file))
    return sorted(words)


def main():
    write("json", "JSON syntax, number and escape edge cases", JSON_TOKENS)
    write("dataset", "JSON tokens and the COCO/LVIS ground-truth keys", JSON_TOKENS + [f'"{k}":' for k in GROUND_TRUTH_KEYS])
    write("results", "JSON tokens and the results keys", JSON_TOKENS + [f'"{k}":' for k in RESULT_KEYS] + ['"size": [16, 12]', '"size": [4, 6]'])
    write("safetensors", "JSON tokens, header keys, dtypes, checkpoint names", JSON_TOKENS + [f'"{w}"' for w in SAFETENSORS_WORDS])
    write("config", "JSON tokens and every key and string value of pipelines/configs/*.json", JSON_TOKENS + [f'"{w}"' for w in config_words()])
    write("torch", "zip signatures, pickle opcodes, allow-listed globals, the legacy magic number", TORCH_TOKENS)
    print("fuzz/dict: json, dataset, results, safetensors, config, torch")


if __name__ == "__main__":
    main()
