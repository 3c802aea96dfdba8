"""An independent paired bootstrap of the RSNA metric (numpy), to check compareModelSets.

Reads JSON on stdin: {"rows": [{"study", "condition", "label" (0..2), "pa": [3], "pb": [3]}], "seed", "resamples"}
and prints the point scores, b - a, the 95 % percentile interval and the share where B's loss is lower, per part.
The per-study losses are computed here from the rows (not taken from the code under test); the resample indices
come from mulberry32 reimplemented below, drawn as floor(u * n / 2^32) over the studies in sorted id order.
"""
import json
import sys

import numpy as np

M = 0xFFFFFFFF
EPS = np.finfo(np.float64).eps
W = [1.0, 2.0, 4.0]
PARTS = ["spinal", "foraminal", "subarticular", "anySevereSpinal"]


def mulberry32(seed):
    a = seed & M

    def nxt():
        nonlocal a
        a = (a + 0x6D2B79F5) & M
        t = ((a ^ (a >> 15)) * (1 | a)) & M
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & M)) & M) ^ t
        return (t ^ (t >> 14)) & M

    return nxt


def core(condition):
    if condition == "SPINAL_CANAL_STENOSIS":
        return 0
    return 1 if "FORAMINAL" in condition else 2


def main():
    d = json.load(sys.stdin)
    studies = sorted({r["study"] for r in d["rows"]})
    index = {s: i for i, s in enumerate(studies)}
    n = len(studies)
    loss = np.zeros((2, n, 4))
    weight = np.zeros((n, 4))
    spinal = {}
    for r in d["rows"]:
        s, k, y, w = index[r["study"]], core(r["condition"]), r["label"], W[r["label"]]
        for m, key in enumerate(("pa", "pb")):
            p = np.clip(np.asarray(r[key], dtype=np.float64), EPS, 1 - EPS)
            p = p / p.sum()
            loss[m, s, k] += w * -np.log(p[y])
        weight[s, k] += w
        if k == 0:
            prev = spinal.get(s, (0, 0.0, -1.0, -1.0))
            spinal[s] = (max(prev[0], int(y == 2)), max(prev[1], w), max(prev[2], r["pa"][2]), max(prev[3], r["pb"][2]))
    for s, (y, w, pa, pb) in spinal.items():
        for m, p in enumerate((pa, pb)):
            p = min(max(p, EPS), 1 - EPS)
            loss[m, s, 3] = w * -(np.log(p) if y else np.log(1 - p))
        weight[s, 3] = w

    def scores(counts):
        la = counts @ loss[0]
        lb = counts @ loss[1]
        ws = counts @ weight
        out = []
        for k in range(4):
            out.append((la[k] / ws[k], lb[k] / ws[k]) if ws[k] > 0 else None)
        present = [x for x in out if x is not None]
        out.append((np.mean([x[0] for x in present]), np.mean([x[1] for x in present])) if present else None)
        return out

    point = scores(np.ones(n))
    nxt = mulberry32(d["seed"])
    diffs = [[] for _ in range(5)]
    for _ in range(d["resamples"]):
        counts = np.zeros(n)
        for _ in range(n):
            counts[(nxt() * n) >> 32] += 1
        for k, x in enumerate(scores(counts)):
            if x is not None:
                diffs[k].append(x[1] - x[0])
    result = {}
    for k, name in enumerate(PARTS + ["overall"]):
        x = np.asarray(diffs[k])
        result[name] = {
            "a": point[k][0] if point[k] else None,
            "b": point[k][1] if point[k] else None,
            "lower": float(np.percentile(x, 2.5)) if len(x) else None,
            "upper": float(np.percentile(x, 97.5)) if len(x) else None,
            "bBetterShare": float(np.mean(x < 0)) if len(x) else None,
            "resamples": len(x),
        }
    print(json.dumps({"studies": n, "parts": result}))


main()
