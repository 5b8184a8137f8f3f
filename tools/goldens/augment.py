#!/usr/bin/python3
"""Golden images for pkg/augment, computed with torchvision.transforms.functional.

Pinned to torch 1.13 and torchvision 0.14 (Debian's CPU build: run with /usr/bin/python3). The
versions used are recorded in the JSON.

Two small float32 images with fixed random pixels — an RGB one, 5x7, with a pure grey pixel and
pixels whose largest channels tie (the special cases of the RGB -> HSV conversion), and a grey
one, 6x5 — go through every deterministic operation that pkg/augment's transforms are built
from: flips, pads (constant, edge, reflect, symmetric), crops (also partly outside the image),
bilinear resizes (antialias=False, torchvision 0.14's behaviour on tensors), resized crops,
rotations and affine maps (bilinear, with fill), greyscale, brightness, contrast, saturation,
hue, erase and normalize. Images are stored HWC, the layout of pkg/augment; torchvision works in
CHW, so the script transposes on the way in and out.

    /usr/bin/python3 tools/goldens/augment.py   # writes pkg/augment/augment_golden.json
"""

import json
import os

import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "pkg", "augment", "augment_golden.json")

BILINEAR = InterpolationMode.BILINEAR


def images():
    g = torch.Generator().manual_seed(11)
    rgb = torch.rand(3, 5, 7, generator=g)
    rgb[:, 2, 3] = 0.4            # grey: hue and saturation 0
    rgb[:, 0, 0] = torch.tensor([0.8, 0.8, 0.2])  # max in R and G
    rgb[:, 4, 6] = torch.tensor([0.3, 0.9, 0.9])  # max in G and B
    rgb[:, 1, 5] = torch.tensor([0.0, 0.0, 0.0])  # black
    grey = torch.rand(1, 6, 5, generator=g)
    return {"rgb": rgb, "grey": grey}


def cases():
    # (op, image, args, function of a CHW tensor)
    out = []
    for name in ("rgb", "grey"):
        out += [
            ("hflip", name, {}, F.hflip),
            ("vflip", name, {}, F.vflip),
            ("crop", name, {"top": 1, "left": 2, "h": 3, "w": 4}, lambda x: F.crop(x, 1, 2, 3, 4)),
            ("crop", name, {"top": -1, "left": -2, "h": 4, "w": 6}, lambda x: F.crop(x, -1, -2, 4, 6)),
            ("crop", name, {"top": 3, "left": 2, "h": 4, "w": 4}, lambda x: F.crop(x, 3, 2, 4, 4)),
            ("resize", name, {"h": 3, "w": 4},
             lambda x: F.resize(x, [3, 4], BILINEAR, antialias=False)),
            ("resize", name, {"h": 9, "w": 11},
             lambda x: F.resize(x, [9, 11], BILINEAR, antialias=False)),
            ("resized_crop", name, {"top": 1, "left": 1, "h": 3, "w": 4},
             lambda x: F.resized_crop(x, 1, 1, 3, 4, list(x.shape[1:]), BILINEAR, antialias=False)),
            ("grayscale", name, {}, lambda x: F.rgb_to_grayscale(x, x.shape[0])),
            ("brightness", name, {"f": 0.5}, lambda x: F.adjust_brightness(x, 0.5)),
            ("brightness", name, {"f": 1.7}, lambda x: F.adjust_brightness(x, 1.7)),
            ("contrast", name, {"f": 0.3}, lambda x: F.adjust_contrast(x, 0.3)),
            ("contrast", name, {"f": 1.8}, lambda x: F.adjust_contrast(x, 1.8)),
            ("normalize", name, {"mean": [0.25], "std": [0.5]},
             lambda x: F.normalize(x, [0.25], [0.5])),
            ("erase", name, {"top": 1, "left": 2, "h": 2, "w": 3, "value": [0.6]},
             lambda x: F.erase(x, 1, 2, 2, 3, torch.tensor([0.6])[:, None, None])),
        ]
        for mode in ("constant", "edge", "reflect", "symmetric"):
            fill = 0.5 if mode == "constant" else 0
            out.append(("pad", name, {"left": 2, "top": 1, "right": 0, "bottom": 3, "mode": mode, "fill": fill},
                        lambda x, mode=mode, fill=fill: F.pad(x, [2, 1, 0, 3], fill, mode)))
        for angle, fill in ((30, [0.0]), (-45, [0.25]), (90, [0.0]), (17.5, [1.0])):
            out.append(("rotate", name, {"angle": angle, "fill": fill},
                        lambda x, a=angle, f=fill: F.rotate(x, a, BILINEAR, fill=f * x.shape[0])))
        for angle, tr, scale, shear, fill in ((20, [1, -2], 1.2, [10, 5], [0.1]),
                                               (-35, [0, 0], 0.8, [0, 0], [0.0]),
                                               (0, [2, 1], 1.0, [0, 0], [0.0]),
                                               (0, [0, 0], 1.0, [-25, 0], [0.5])):
            out.append(("affine", name,
                        {"angle": angle, "translate": tr, "scale": scale, "shear": shear, "fill": fill},
                        lambda x, a=angle, t=tr, s=scale, sh=shear, f=fill:
                        F.affine(x, a, t, s, sh, BILINEAR, f * x.shape[0])))
    for f in (0.0, 0.4, 2.5):
        out.append(("saturation", "rgb", {"f": f}, lambda x, f=f: F.adjust_saturation(x, f)))
    for f in (-0.5, -0.3, 0.2, 0.5):
        out.append(("hue", "rgb", {"f": f}, lambda x, f=f: F.adjust_hue(x, f)))
    out += [
        ("normalize", "rgb", {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
         lambda x: F.normalize(x, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])),
        ("erase", "rgb", {"top": 0, "left": 4, "h": 5, "w": 2, "value": [0.1, 0.2, 0.3]},
         lambda x: F.erase(x, 0, 4, 5, 2, torch.tensor([0.1, 0.2, 0.3])[:, None, None])),
    ]
    return out


def hwc(x):
    return [float(v) for v in x.permute(1, 2, 0).reshape(-1).tolist()]


def main():
    ims = images()
    doc = {
        "torch_version": torch.__version__,
        "torchvision_version": torchvision.__version__,
        "script": "tools/goldens/augment.py",
        "images": {k: {"h": v.shape[1], "w": v.shape[2], "c": v.shape[0], "pix": hwc(v)} for k, v in ims.items()},
        "cases": [],
    }
    for op, name, args, fn in cases():
        y = fn(ims[name].clone())
        doc["cases"].append({"op": op, "image": name, "args": args,
                             "h": y.shape[1], "w": y.shape[2], "c": y.shape[0], "want": hwc(y)})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f)
        f.write("\n")
    print(f"{len(doc['cases'])} cases -> {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
