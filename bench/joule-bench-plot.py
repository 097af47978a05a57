#!/usr/bin/env python3
"""Draw joule-bench's plots from OUT/runs.csv: for each workload, energy per
run against its latency or time figure, one colour per scheduler, each run a
dot and the medians a larger marker. Idle has no such figure: its plot shows
energy per scheduler.

usage: joule-bench-plot.py OUT_DIR     (writes OUT_DIR/energy-vs-WORKLOAD.png)
"""
import csv
import os
import statistics
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def latency_column(row):
    """The figure to plot energy against: the second (a p99) if there is one."""
    for col in ("perf2", "perf1"):
        if row[col + "_name"]:
            return col, "%s (%s)" % (row[col + "_name"], row[col + "_unit"])
    return None, None


def plot_workload(out_dir, workload, rows):
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    col, label = latency_column(rows[0])
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, arm in enumerate(arms):
        mine = [r for r in rows if r["arm"] == arm]
        energy = [float(r["energy_j"]) for r in mine]
        xs = [float(r[col]) for r in mine] if col else [i] * len(mine)
        dots = ax.scatter(xs, energy, alpha=0.5, label=arm)
        ax.scatter([statistics.median(xs)], [statistics.median(energy)], s=120,
                   marker="D", color=dots.get_facecolor()[0], edgecolor="black")
    ax.set_xlabel(label if col else "scheduler")
    if not col:
        ax.set_xticks(range(len(arms)))
        ax.set_xticklabels(arms, rotation=20)
    ax.set_ylabel("energy per run (J)")
    ax.set_title(f"{workload}: energy against {label or 'scheduler'} (diamond: median)")
    ax.legend(fontsize="small")
    fig.tight_layout()
    path = os.path.join(out_dir, f"energy-vs-{workload}.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    out_dir = sys.argv[1]
    rows = load(os.path.join(out_dir, "runs.csv"))
    if not rows:
        sys.exit("joule-bench-plot: runs.csv has no runs")
    for workload in dict.fromkeys(r["workload"] for r in rows):
        plot_workload(out_dir, workload, [r for r in rows if r["workload"] == workload])


if __name__ == "__main__":
    main()
