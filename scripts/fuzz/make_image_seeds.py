#!/usr/bin/env python3
"""Writes the image seeds our own encoders cannot make into fuzz/corpus/image (make fuzz-seeds):
grey, CMYK and progressive JPEGs, and grey, grey+alpha, palette, palette+tRNS, 16-bit and
interlaced PNGs, each a few hundred bytes, made with Pillow (libjpeg, zlib).

    python3 scripts/fuzz/make_image_seeds.py fuzz/corpus/image
"""
import io
import os
import sys

from PIL import Image


def gradient(mode, size=(13, 7)):
    width, height = size
    image = Image.new("RGB", size)
    image.putdata([(x * 255 // (width - 1), y * 255 // (height - 1), 90) for y in range(height) for x in range(width)])
    return image.convert(mode) if mode != "RGB" else image


def encoded(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/image"
    os.makedirs(folder, exist_ok=True)
    palette = gradient("RGB").convert("P", palette=Image.ADAPTIVE, colors=8)
    seeds = {
        "grey.jpg": encoded(gradient("L"), "JPEG", quality=80),
        "cmyk.jpg": encoded(gradient("CMYK"), "JPEG", quality=80),
        "progressive.jpg": encoded(gradient("RGB"), "JPEG", quality=80, progressive=True),
        "subsampling-444.jpg": encoded(gradient("RGB"), "JPEG", quality=80, subsampling=0),
        "grey.png": encoded(gradient("L"), "PNG"),
        "grey-alpha.png": encoded(gradient("LA"), "PNG"),
        "palette.png": encoded(palette, "PNG"),
        "palette-trns.png": encoded(palette, "PNG", transparency=0),
        "grey-16bit.png": encoded(gradient("L").convert("I;16"), "PNG"),
        "interlaced.png": encoded(gradient("RGB"), "PNG", interlace=1),
    }
    for name, data in seeds.items():
        with open(os.path.join(folder, name), "wb") as file:
            file.write(data)
    print(f"{folder}: {len(seeds)} image seeds from Pillow")


if __name__ == "__main__":
    main()
