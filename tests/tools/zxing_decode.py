#!/usr/bin/env python3
"""Decodes the QR codes of image files with zxing-cpp, the reference decoder, and prints
one JSON array per file (the texts found, in zxing-cpp's order), one file per line.

Usage: zxing_decode.py IMAGE...

Runs from the venv scripts/qr-bench.sh and scripts/setup.sh make (target/qr-venv, with the
PyPI wheels `zxing-cpp` 3.x and `Pillow`). Exit status 1 when an image holds no QR code.
"""

import json
import sys

import zxingcpp
from PIL import Image


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: zxing_decode.py IMAGE...", file=sys.stderr)
        return 2
    status = 0
    for path in sys.argv[1:]:
        with Image.open(path) as image:
            found = zxingcpp.read_barcodes(image.convert("L"))
        texts = [r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode]
        if not texts:
            print(f"zxing_decode: no QR code in {path}", file=sys.stderr)
            status = 1
        print(json.dumps(texts))
    return status


if __name__ == "__main__":
    sys.exit(main())
