"""Goldens for pkg/imageproc (chapter 12): what Pillow's Image.resize and OpenCV's cv2.resize
compute on small random images.

Run from the repository root with a virtual environment outside the repository:

    python3 -m venv /tmp/venv-goldens-img
    /tmp/venv-goldens-img/bin/pip install pillow numpy opencv-python-headless
    /tmp/venv-goldens-img/bin/python tools/goldens/imageproc.py

It writes pkg/imageproc/resize_golden.json: for each case the input (HWC, row-major),
the target size and Pillow's or OpenCV's output, with the library versions that made them.
"""
import json
import os

import cv2
import numpy as np
import PIL
from PIL import Image

OUT = "pkg/imageproc/resize_golden.json"
FILTERS = {
    "NEAREST": Image.Resampling.NEAREST,
    "BOX": Image.Resampling.BOX,
    "BILINEAR": Image.Resampling.BILINEAR,
    "BICUBIC": Image.Resampling.BICUBIC,
}
# (input height, width) -> (output height, width): shrink both axes by non-integer factors,
# enlarge both, shrink hard (support grows with the factor), one axis only, and mixed.
SIZES = [((5, 7), (4, 3)), ((6, 4), (11, 9)), ((12, 16), (3, 5)), ((10, 10), (10, 4)),
         ((9, 8), (4, 13))]


def case(mode, filt, x, out):
    return {"mode": mode, "filter": filt, "in_h": x.shape[0], "in_w": x.shape[1],
            "c": 1 if x.ndim == 2 else x.shape[2], "input": x.ravel().tolist(),
            "out_h": out.shape[0], "out_w": out.shape[1], "output": out.ravel().tolist()}


def main():
    rng = np.random.default_rng(12)
    cases = []
    for (h, w), (oh, ow) in SIZES:
        f32 = (rng.random((h, w)) * 255).astype(np.float32)
        grey = rng.integers(0, 256, (h, w), dtype=np.uint8)
        rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        for name, filt in FILTERS.items():
            out = np.asarray(Image.fromarray(f32, mode="F").resize((ow, oh), filt))
            cases.append(case("F", name, f32, out))
            out = np.asarray(Image.fromarray(grey, mode="L").resize((ow, oh), filt))
            cases.append(case("L", name, grey, out))
            out = np.asarray(Image.fromarray(rgb, mode="RGB").resize((ow, oh), filt))
            cases.append(case("RGB", name, rgb, out))
        # OpenCV's bilinear without antialiasing, in float32 (its 8-bit path rounds differently).
        out = cv2.resize(f32, (ow, oh), interpolation=cv2.INTER_LINEAR)
        cases.append(case("cv2", "INTER_LINEAR", f32, out))
    # INTER_AREA shrinking by whole factors averages blocks, as Pillow's BOX does.
    for (h, w), (oh, ow) in [((12, 16), (4, 4)), ((6, 9), (2, 3))]:
        f32 = (rng.random((h, w)) * 255).astype(np.float32)
        out = cv2.resize(f32, (ow, oh), interpolation=cv2.INTER_AREA)
        cases.append(case("cv2", "INTER_AREA", f32, out))
    doc = {"script": "tools/goldens/imageproc.py", "pillow_version": PIL.__version__,
           "opencv_version": cv2.__version__, "numpy_version": np.__version__, "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{OUT}: {len(cases)} cases, Pillow {PIL.__version__}, OpenCV {cv2.__version__}")


if __name__ == "__main__":
    main()
