#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""
A lower bound on the energy of a frame chain (main, then the render thread
it wakes, one deadline for both) for a scheduler that does not know the
render thread's work before it is done, next to the simulator's oracle
bound, which knows every job's work in advance.

Both take the cheapest mix of (domain, OPP) points for each unit of work,
with no shared clocks, no idle, wakeup or DVFS costs and free migration:
the lower convex hull of (time per unit, energy per unit above deep idle)
over every OPP of the .soc file, as sim/engine.c's oracle does.

- clairvoyant (the oracle): main's and render's work w1 + w2 known, one
  speed mix for the whole chain within the budget.
- online: w1 known (more than a scheduler knows: it only makes the bound
  lower), w2 known only by its distribution, uniform within +-jitter of its
  mean as the simulator draws it. The chain must fit the budget at the
  largest w2 (no missed frames), but a unit of render work past the
  smallest w2 costs energy only in the frames that reach it. The bound is
  the Lagrangian dual of that problem, so a lower bound on any plan,
  speeding up as the work goes on included.

Prints both per frame, and the difference over the workload's frames, to
add to the oracle bound that `joule-sim` prints for the whole game.
"""
import argparse
import math


def soc_hull(path):
    """(t, e) points of the lower convex hull, fastest first, up to the cheapest."""
    pds = {}
    for raw in open(path):
        words = raw.split("#")[0].split()
        if len(words) < 2 or words[0] not in ("pd", "opp"):
            continue
        kv = dict(w.split("=", 1) for w in words[2:] if "=" in w)
        if words[0] == "pd":
            pds[words[1]] = {"ipc": int(kv["ipc"]), "dpc": int(kv.get("dpc", 0)),
                             "sleep_mw": float(kv.get("sleep_mw", 0)), "opps": []}
            continue
        pd = pds[words[1]]
        mhz = int(kv["mhz"])
        mw = float(kv["mw"]) if "mw" in kv else pd["dpc"] * int(kv["mv"]) ** 2 * mhz / 1e9
        pd["opps"].append((mhz, mw))
    best = max(pd["ipc"] * max(m for m, _ in pd["opps"]) for pd in pds.values())
    pts = []
    for pd in pds.values():
        for mhz, mw in pd["opps"]:
            cap = pd["ipc"] * mhz * 1024 // best
            if cap:
                pts.append((1024.0 / cap, (mw - pd["sleep_mw"]) * 1024.0 / cap / 1e9))
    pts.sort()
    hull = []
    for p in pts:
        if hull and p[0] == hull[-1][0]:
            continue
        while len(hull) >= 2 and ((hull[-1][0] - hull[-2][0]) * (p[1] - hull[-2][1]) -
                                  (hull[-1][1] - hull[-2][1]) * (p[0] - hull[-2][0])) <= 0:
            hull.pop()
        hull.append(p)
    cheapest = min(range(len(hull)), key=lambda i: hull[i][1])
    return hull[:cheapest + 1]


def clairvoyant_mj(hull, work, budget):
    t = budget / work
    if t >= hull[-1][0]:
        return work * hull[-1][1]
    if t <= hull[0][0]:
        return work * hull[0][1]
    i = 0
    while hull[i + 1][0] <= t:
        i += 1
    (t0, e0), (t1, e1) = hull[i], hull[i + 1]
    return work * (e0 + (e1 - e0) * (t - t0) / (t1 - t0))


def online_mj(hull, w1, lo, hi, budget, units=400):
    """max over lambda of sum(min over OPPs of weight*e + lambda*t) - lambda*budget"""
    dx = (w1 + hi) / units
    weights = []
    for i in range(units):
        r = (i + 0.5) * dx - w1  # render work done so far at this unit
        weights.append(1.0 if r <= lo else max(0.0, 1.0 - (r - lo) / (hi - lo)))

    def dual(lam):
        return sum(min(w * e + lam * t for t, e in hull) for w in weights) * dx - lam * budget

    # concave in lambda: a coarse scan in log scale, then golden section around the best
    grid = [10 ** (k / 20.0) for k in range(-400, 0)]
    k = max(range(len(grid)), key=lambda i: dual(grid[i]))
    a, b = math.log(grid[max(k - 1, 0)]), math.log(grid[min(k + 1, len(grid) - 1)])
    g = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        c, d = b - g * (b - a), a + g * (b - a)
        if dual(math.exp(c)) > dual(math.exp(d)):
            b = d
        else:
            a = c
    return max(dual(grid[k]), dual(math.exp((a + b) / 2)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("soc", help=".soc file (sim/socs/)")
    ap.add_argument("--main-ms", type=float, default=4.0, help="main's mean work (ms at 1024)")
    ap.add_argument("--render-ms", type=float, default=3.5, help="render's mean work")
    ap.add_argument("--jitter", type=float, default=25.0, help="+- percent, uniform")
    ap.add_argument("--period-ms", type=float, default=16.667, help="the chain's budget")
    ap.add_argument("--seconds", type=float, default=60.0, help="the workload's length")
    ap.add_argument("--steps", type=int, default=20, help="values of each work drawn")
    args = ap.parse_args()

    hull = soc_hull(args.soc)
    budget = args.period_ms * 1e6
    j = args.jitter / 100.0
    m_lo, m_hi = args.main_ms * 1e6 * (1 - j), args.main_ms * 1e6 * (1 + j)
    r_lo, r_hi = args.render_ms * 1e6 * (1 - j), args.render_ms * 1e6 * (1 + j)
    n = args.steps
    draws = [(i + 0.5) / n for i in range(n)]
    clair = online = 0.0
    for u in draws:
        w1 = m_lo + u * (m_hi - m_lo)
        online += online_mj(hull, w1, r_lo, r_hi, budget) / n
        clair += sum(clairvoyant_mj(hull, w1 + r_lo + v * (r_hi - r_lo), budget)
                     for v in draws) / n / n
    frames = args.seconds * 1000.0 / args.period_ms
    print("%s: chain per frame %.3f mJ clairvoyant, %.3f mJ online (+%.1f%%); "
          "over %.0f frames +%.2f J" % (args.soc.split("/")[-1], clair, online,
                                        100.0 * (online / clair - 1), frames,
                                        (online - clair) * frames / 1000.0))


if __name__ == "__main__":
    main()
