#!/usr/bin/python3
"""Golden values for pkg/detection, from torchvision and pycocotools.

torchvision 0.14 with torch 1.13 (Debian's python3-torchvision), pycocotools from PyPI. Debian's
Python has torch but not pycocotools, so run it from a venv outside the repository that sees the
system packages:

    /usr/bin/python3 -m venv --system-site-packages /tmp/venv-det
    /tmp/venv-det/bin/pip install pycocotools
    /tmp/venv-det/bin/python tools/goldens/detection.py   # writes pkg/detection/testdata/detection_golden.json

All boxes are float64 and corner form (x1, y1, x2, y2) unless a field says otherwise:

- iou: torchvision.ops.box_iou and generalized_box_iou of random boxes (one of zero area);
- convert: box_convert to cxcywh; clip: clip_boxes_to_image;
- nms, batched_nms: clusters of random boxes with distinct scores, several IoU thresholds;
- coder: torchvision.models.detection._utils.BoxCoder((10, 10, 5, 5)) encode_single and
  decode_single (one target past the clip of log(1000/16));
- anchors: AnchorGenerator's anchors for one feature map (Faster R-CNN's 9 per location, and
  another set);
- coco: pycocotools COCOeval (iouType "bbox", iscrowd 0) stats[0:6] on random ground truths
  spanning small, medium and large areas and a "detector" of jittered truths, duplicates,
  false positives and, for one image and class, more than 100 detections;
- voc: the same kind of data with "difficult" flags, scored by a numpy re-implementation of the
  PASCAL VOC devkit's rules written here (no torch: the devkit is MATLAB) — 11-point (VOC2007)
  and all-points (VOC2010+) AP at IoU 0.5 with the devkit's +1 pixel areas. The Go tests also
  check a case worked out by hand (pkg/detection/eval_test.go).
"""

import json
import math
import os

import numpy as np
import pycocotools
import torch
import torchvision
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
from torchvision.models.detection._utils import BoxCoder
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.image_list import ImageList
from torchvision.ops import (batched_nms, box_convert, box_iou, clip_boxes_to_image,
                             generalized_box_iou, nms)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "pkg", "detection", "testdata", "detection_golden.json")

rng = np.random.default_rng(19)


def rand_boxes(n, lo=0.0, hi=100.0, smin=2.0, smax=40.0):
    x = rng.uniform(lo, hi, n)
    y = rng.uniform(lo, hi, n)
    w = rng.uniform(smin, smax, n)
    h = rng.uniform(smin, smax, n)
    return np.stack([x, y, x + w, y + h], 1)


def t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def lst(x):
    return np.asarray(x, dtype=np.float64).tolist()


def clustered(n, centres=5, spread=6.0):
    c = rand_boxes(centres, smin=15, smax=40)
    k = rng.integers(0, centres, n)
    return c[k] + rng.normal(0, spread, (n, 4)).clip(-10, 10) * np.array([1, 1, 1, 1])


def box_cases():
    a = rand_boxes(8)
    a[3] = [10, 10, 10, 30]  # zero width
    b = rand_boxes(6)
    b[0] = a[0]              # identical
    b[1] = a[1] + 3          # overlapping
    out = {"a": lst(a), "b": lst(b),
           "iou": lst(box_iou(t(a), t(b))),
           "giou": lst(generalized_box_iou(t(a), t(b))),
           "cxcywh": lst(box_convert(t(a), "xyxy", "cxcywh"))}
    c = rand_boxes(10, lo=-20, hi=80, smax=50)
    out["clip"] = {"boxes": lst(c), "width": 64, "height": 48,
                   "clipped": lst(clip_boxes_to_image(t(c), (48, 64)))}
    return out


def nms_cases():
    cases = []
    for n, thr in [(30, 0.3), (30, 0.5), (40, 0.7), (12, 0.0)]:
        boxes = clustered(n)
        boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2] + 1)
        scores = rng.permutation(n) / n + rng.uniform(0, 0.01, n)
        keep = nms(t(boxes), t(scores), thr)
        cases.append({"boxes": lst(boxes), "scores": lst(scores), "iou_threshold": thr,
                      "keep": keep.tolist()})
    batched = []
    for n, thr in [(40, 0.5), (25, 0.3)]:
        boxes = clustered(n, centres=4)
        boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2] + 1)
        scores = rng.permutation(n) / n + rng.uniform(0, 0.01, n)
        classes = rng.integers(0, 3, n)
        keep = batched_nms(t(boxes), t(scores), torch.tensor(classes), thr)
        batched.append({"boxes": lst(boxes), "scores": lst(scores), "classes": classes.tolist(),
                        "iou_threshold": thr, "keep": keep.tolist()})
    return cases, batched


def coder_case():
    coder = BoxCoder(weights=(10.0, 10.0, 5.0, 5.0))
    gt, anchors = rand_boxes(10, smin=5), rand_boxes(10, smin=5)
    codes = rng.normal(0, 2, (10, 4))
    codes[4, 2] = 100.0  # tw past the clip
    codes[7, 3] = -50.0
    return {"weights": [10, 10, 5, 5], "clip": math.log(1000.0 / 16), "gt": lst(gt),
            "anchors": lst(anchors),
            "encoded": lst(coder.encode_single(t(gt), t(anchors))),
            "codes": lst(codes),
            "decoded": lst(coder.decode_single(t(codes), t(anchors)))}


def anchor_cases():
    cases = []
    for base, scales, ratios, stride, rows, cols in [
            (16, [8, 16, 32], [0.5, 1.0, 2.0], 16, 3, 4),
            (8, [2, 3], [1.0, 2.0, 0.25], 8, 2, 5)]:
        sizes = tuple(float(base * s) for s in scales)
        gen = AnchorGenerator(sizes=(sizes,), aspect_ratios=(tuple(ratios),))
        images = ImageList(torch.zeros(1, 3, rows * stride, cols * stride),
                           [(rows * stride, cols * stride)])
        fmap = torch.zeros(1, 8, rows, cols)
        anchors = gen(images, [fmap])[0]
        cases.append({"base_size": base, "scales": scales, "ratios": ratios, "stride": stride,
                      "rows": rows, "cols": cols, "anchors": lst(anchors)})
    return cases


def make_detection_data(images, classes, difficult_rate=0.0, big_image=None):
    """Random ground truths (xywh) over small/medium/large sizes, and a detector's output."""
    gts, dets = [], []
    for im in range(images):
        for _ in range(rng.integers(0, 6)):
            side = float(np.exp(rng.uniform(np.log(8), np.log(200))))
            w, h = side * rng.uniform(0.6, 1.4), side * rng.uniform(0.6, 1.4)
            x, y = rng.uniform(0, 400), rng.uniform(0, 400)
            gts.append({"image": im, "class": int(rng.integers(0, classes)),
                        "xywh": [x, y, w, h],
                        "difficult": bool(rng.uniform() < difficult_rate)})
    for g in gts:
        x, y, w, h = g["xywh"]
        for _ in range(rng.integers(0, 3)):  # 0: a miss; 2: a duplicate
            if rng.uniform() < 0.15:
                continue
            j = rng.normal(0, 0.12, 4)
            dets.append({"image": g["image"], "class": g["class"],
                         "xywh": [x + j[0] * w, y + j[1] * h, w * math.exp(j[2]),
                                  h * math.exp(j[3])],
                         "score": float(rng.uniform(0.2, 1.0))})
    for _ in range(images * 3):  # false positives
        side = float(np.exp(rng.uniform(np.log(8), np.log(200))))
        dets.append({"image": int(rng.integers(0, images)), "class": int(rng.integers(0, classes)),
                     "xywh": [rng.uniform(0, 400), rng.uniform(0, 400), side, side * 1.2],
                     "score": float(rng.uniform(0, 0.8))})
    if big_image is not None:  # more than 100 detections of one class in one image
        for _ in range(130):
            side = float(rng.uniform(20, 120))
            dets.append({"image": big_image, "class": 0,
                         "xywh": [rng.uniform(0, 400), rng.uniform(0, 400), side, side],
                         "score": float(rng.uniform(0, 1))})
    return gts, dets


def coco_case(images, classes, big_image=None):
    gts, dets = make_detection_data(images, classes, big_image=big_image)
    ds = {"images": [{"id": i + 1} for i in range(images)],
          "categories": [{"id": c + 1} for c in range(classes)],
          "annotations": [{"id": k + 1, "image_id": g["image"] + 1, "category_id": g["class"] + 1,
                           "bbox": g["xywh"], "area": g["xywh"][2] * g["xywh"][3], "iscrowd": 0}
                          for k, g in enumerate(gts)]}
    coco = COCO()
    coco.dataset = ds
    coco.createIndex()
    res = coco.loadRes([{"image_id": d["image"] + 1, "category_id": d["class"] + 1,
                         "bbox": d["xywh"], "score": d["score"]} for d in dets])
    ev = COCOeval(coco, res, "bbox")
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    return {"images": images, "classes": classes, "truths": gts, "detections": dets,
            "stats": [float(s) for s in ev.stats[:6]]}


def voc_ap(rec, prec, eleven):
    """The VOC devkit's AP of one class, from its precision–recall points."""
    if eleven:
        ap = 0.0
        for thr in np.arange(0.0, 1.1, 0.1):
            p = np.max(prec[rec >= thr]) if np.sum(rec >= thr) > 0 else 0.0
            ap += p / 11.0
        return ap
    mrec = np.concatenate(([0.0], rec, [1.0]))
    mpre = np.concatenate(([0.0], prec, [0.0]))
    for i in range(mpre.size - 1, 0, -1):
        mpre[i - 1] = max(mpre[i - 1], mpre[i])
    i = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))


def voc_eval(gts, dets, cls, thr=0.5):
    """The VOC devkit's matching for one class: +1 pixel areas, difficult ignored, duplicates FP."""
    mine = [d for d in dets if d["class"] == cls]
    mine.sort(key=lambda d: -d["score"])
    recs = [g for g in gts if g["class"] == cls]
    npos = sum(not g["difficult"] for g in recs)
    taken = [False] * len(recs)
    tp, fp = np.zeros(len(mine)), np.zeros(len(mine))
    keep = np.ones(len(mine), bool)
    for k, d in enumerate(mine):
        bb = d["xyxy"]
        ovmax, jmax = -np.inf, -1
        for j, g in enumerate(recs):
            if g["image"] != d["image"]:
                continue
            gb = g["xyxy"]
            iw = min(bb[2], gb[2]) - max(bb[0], gb[0]) + 1.0
            ih = min(bb[3], gb[3]) - max(bb[1], gb[1]) + 1.0
            inter = max(iw, 0.0) * max(ih, 0.0)
            uni = ((bb[2] - bb[0] + 1.0) * (bb[3] - bb[1] + 1.0) +
                   (gb[2] - gb[0] + 1.0) * (gb[3] - gb[1] + 1.0) - inter)
            ov = inter / uni
            if ov > ovmax:
                ovmax, jmax = ov, j
        if ovmax > thr:
            if recs[jmax]["difficult"]:
                keep[k] = False
            elif not taken[jmax]:
                tp[k], taken[jmax] = 1.0, True
            else:
                fp[k] = 1.0
        else:
            fp[k] = 1.0
    tp, fp = np.cumsum(tp[keep]), np.cumsum(fp[keep])
    rec = tp / float(npos)
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    return npos, rec, prec


def voc_case(images, classes):
    gts, dets = make_detection_data(images, classes, difficult_rate=0.15)
    for x in gts + dets:  # whole pixel corners, as VOC's annotations
        x0, y0, w, h = x["xywh"]
        x["xyxy"] = [float(round(x0)), float(round(y0)), float(round(x0 + w)), float(round(y0 + h))]
        del x["xywh"]
    ap11, apall = [], []
    for c in range(classes):
        npos, rec, prec = voc_eval(gts, dets, c)
        ap11.append(voc_ap(rec, prec, True) if npos else None)
        apall.append(voc_ap(rec, prec, False) if npos else None)
    return {"classes": classes, "truths": gts, "detections": dets, "ap11": ap11, "ap_all": apall}


def main():
    nms_c, batched_c = nms_cases()
    doc = {"torch_version": torch.__version__, "torchvision_version": torchvision.__version__,
           "pycocotools_version": getattr(pycocotools, "__version__", "2.0.11"),
           "numpy_version": np.__version__, "script": "tools/goldens/detection.py",
           "boxes": box_cases(), "nms": nms_c, "batched_nms": batched_c,
           "coder": coder_case(), "anchors": anchor_cases(),
           "coco": [coco_case(8, 3), coco_case(20, 4, big_image=3), coco_case(5, 2)],
           "voc": [voc_case(10, 3), voc_case(25, 4)]}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.relpath(OUT), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
