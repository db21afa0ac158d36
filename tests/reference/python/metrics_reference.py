#!/usr/bin/env python3
"""Independent reference for the evaluation metrics (ARCHITECTURE.md §7, issue 7).

Reads one JSON object on stdin and writes one on stdout:
  {"cases": [{"scores": [...], "labels": [...], "threshold": t}, ...],
   "pointing": [{"map": [...], "g": g, "mask": [...], "width": w, "height": h}, ...]}
For each case: scikit-learn's roc_auc_score (null for one class), accuracy_score, f1_score (zero_division
default), recall_score (sensitivity; null with no positives) and specificity as recall of the negative class
(null with no negatives), predictions = score >= threshold.
For each pointing image: the hit by a direct NumPy implementation of CheXlocalize's pointing game (bilinear
upsampling with half-pixel centres written out, argmax = first maximum in row-major order; null for an empty
mask), the same hit from torch.nn.functional.interpolate(mode="bilinear", align_corners=False) in float64, and
a near-tie PyTorch's float rounding breaks differently shows as torchPeakShortfall > 0), and
OpenCV's 8-bit Otsu threshold (getThreshVal_Otsu_8u) of the min-max normalised upsampled map, written out.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, recall_score, roc_auc_score

warnings.filterwarnings("ignore")


def metrics(case):
    y = np.array(case["labels"], dtype=int)
    s = np.array(case["scores"], dtype=float)
    pred = (s >= case["threshold"]).astype(int)
    both = len(set(y.tolist())) == 2
    return {
        "auc": float(roc_auc_score(y, s)) if both else None,
        "accuracy": float(accuracy_score(y, pred)),
        "f1": float(f1_score(y, pred, zero_division=0)),
        "sensitivity": float(recall_score(y, pred, pos_label=1)) if (y == 1).any() else None,
        "specificity": float(recall_score(y, pred, pos_label=0)) if (y == 0).any() else None,
    }


def upsample_numpy(m, out_h, out_w):
    g_h, g_w = m.shape

    def axis(n_in, n_out):
        src = np.maximum((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5, 0.0)
        i0 = np.floor(src).astype(int)
        i1 = np.where(i0 < n_in - 1, i0 + 1, i0)
        lam = src - i0
        return i0, i1, 1.0 - lam, lam

    y0, y1, h0, h1 = axis(g_h, out_h)
    x0, x1, w0, w1 = axis(g_w, out_w)
    top = w0[None, :] * m[y0][:, x0] + w1[None, :] * m[y0][:, x1]
    bottom = w0[None, :] * m[y1][:, x0] + w1[None, :] * m[y1][:, x1]
    return h0[:, None] * top + h1[:, None] * bottom


def otsu_opencv(levels):
    hist = np.bincount(levels.ravel(), minlength=256).astype(float)
    scale = 1.0 / levels.size
    mu = sum(i * hist[i] for i in range(256)) * scale
    mu1 = q1 = max_sigma = 0.0
    max_val = 0
    eps = np.finfo(np.float32).eps
    for i in range(256):
        p = hist[i] * scale
        mu1 *= q1
        q1 += p
        q2 = 1.0 - q1
        if min(q1, q2) < eps or max(q1, q2) > 1.0 - eps:
            continue
        mu1 = (mu1 + i * p) / q1
        mu2 = (mu - q1 * mu1) / q2
        sigma = q1 * q2 * (mu1 - mu2) ** 2
        if sigma > max_sigma:
            max_sigma = sigma
            max_val = i
    return max_val


def pointing(item):
    g, w, h = item["g"], item["width"], item["height"]
    m = np.array(item["map"], dtype=np.float64).reshape(g, g)
    mask = np.array(item["mask"]).reshape(h, w) != 0
    up = upsample_numpy(m, h, w)
    out = {"hit": None, "hitTorch": None, "torchPeakShortfall": 0.0}
    if mask.any():
        out["hit"] = int(mask.ravel()[int(np.argmax(up.ravel()))])
        try:
            import torch
            import torch.nn.functional as F

            t = F.interpolate(torch.from_numpy(m)[None, None], size=(h, w), mode="bilinear", align_corners=False)
            peak = int(np.argmax(t[0, 0].numpy().ravel()))
            out["hitTorch"] = int(mask.ravel()[peak])
            # How far below the NumPy maximum PyTorch's peak pixel is (0 unless rounding broke a near-tie).
            out["torchPeakShortfall"] = float(up.max() - up.ravel()[peak])
        except ImportError:
            pass
    lo, hi = up.min(), up.max()
    if hi > lo:
        levels = np.floor((up - lo) / (hi - lo) * 255).astype(np.uint8)
        t = otsu_opencv(levels)
        att = levels > t
        union = (att | mask).sum()
        out["otsu"] = t
        out["iou"] = float((att & mask).sum() / union) if union else None
    return out


def main():
    request = json.load(sys.stdin)
    json.dump(
        {
            "cases": [metrics(c) for c in request.get("cases", [])],
            "pointing": [pointing(p) for p in request.get("pointing", [])],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
