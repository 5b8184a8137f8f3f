"""High-precision values of binary_cross_entropy_with_logits and its gradient in the tails.

For a logit x, a target y and a positive weight p the loss is
    l = (1 - y)·softplus(x) + p·y·softplus(-x),   softplus(z) = ln(1 + e^z),
and its gradient dl/dx = (1 - y)·σ(x) - p·y·σ(-x). Far out in the tails (y = 0 and x → -∞, or
y = 1 and x → +∞) the gradient is a tiny σ, e^x: 4.2e-31 at x = -70. Float arithmetic that forms
it as 1 - σ(-x) loses it entirely, so these values are computed with Python's decimal module at
150 significant digits — enough that ln(1 + e^-85) keeps over 100 digits of e^-85 — from the
logits' exact float32 values, and rounded once to float64. No torch needed:

    python3 tools/goldens/bce_tails.py   # writes pkg/losses/testdata/bce_tails.json

pkg/losses' TestBCEWithLogitsTails checks float32 and float64 against them.
"""

import json
import os
import struct
from decimal import Decimal, getcontext

getcontext().prec = 150

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "pkg", "losses", "testdata", "bce_tails.json")

# Logits out to where e^-|x| is still a normal float32 (σ(-87) ≈ 1.6e-38), both signs.
MAGNITUDES = [0.5, 3, 17.3, 31.1, 47.2, 70, 85]
LOGITS = sorted([-m for m in MAGNITUDES] + [0] + MAGNITUDES)


def f32(v):
    """The float32 nearest v, as an exact Python float."""
    return struct.unpack("f", struct.pack("f", v))[0]


def softplus(z):
    return (Decimal(1) + z.exp()).ln()


def sigmoid(z):
    return Decimal(1) / (Decimal(1) + (-z).exp())


def main():
    cases = []
    for p in (1, 3):
        for y in (0, 1):
            for x in LOGITS:
                xd, yd, pd = Decimal(f32(x)), Decimal(y), Decimal(p)
                loss = (1 - yd) * softplus(xd) + pd * yd * softplus(-xd)
                grad = (1 - yd) * sigmoid(xd) - pd * yd * sigmoid(-xd)
                cases.append({"x": f32(x), "y": y, "pos_weight": p,
                              "loss": float(loss), "grad": float(grad)})
    doc = {"generated_by": "tools/goldens/bce_tails.py", "precision_digits": 150, "cases": cases}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
