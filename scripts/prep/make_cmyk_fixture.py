#!/usr/bin/env python3
"""Writes Tests/DataTests/TestJPEG.swift: a 1x1 CMYK JPEG made by Pillow (libjpeg), the
bad-input case "CMYK JPEG" for the decoder tests. Run: python3 scripts/prep/make_cmyk_fixture.py"""
import io
from PIL import Image

buffer = io.BytesIO()
Image.new("CMYK", (1, 1), (0, 255, 255, 0)).save(buffer, format="JPEG", quality=90)
data = buffer.getvalue()
lines = []
for start in range(0, len(data), 16):
    lines.append("        " + ", ".join(f"0x{b:02X}" for b in data[start:start + 16]) + ",")
swift = f"""// A 1x1 CMYK JPEG ({len(data)} bytes) made by scripts/prep/make_cmyk_fixture.py (Pillow);
// the decoder must refuse it as the bad-input kind "cmyk".

enum TestJPEG {{
    static let cmykOnePixel: [UInt8] = [
{chr(10).join(lines)}
    ]
}}
"""
open("Tests/DataTests/TestJPEG.swift", "w").write(swift)
print(f"wrote Tests/DataTests/TestJPEG.swift ({len(data)} bytes of JPEG)")
