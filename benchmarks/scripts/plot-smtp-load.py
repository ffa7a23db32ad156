#!/usr/bin/env python3
"""Plots smtp-load.sh's CSV: messages/s per target for each size x sessions, PostgreSQL's own insert rate as a line.

    python3 benchmarks/scripts/plot-smtp-load.py docs/img/smtp-load.csv docs/img/smtp-load.png

Also prints the ratios docs/benchmarks.md quotes: Hato / smtp-sink and Hato / Postfix per cell.
"""
import csv
import sys

from barplot import grouped_bars, plt

TARGETS = [("smtp-sink", "smtp-sink (protocol only)", "#9e9e9e"),
           ("hato", "Hato (committed in PostgreSQL)", "#1f77b4"),
           ("postfix", "Postfix (delivered to Maildir)", "#d62728")]


def main(source, target):
    with open(source, newline="") as f:
        rows = list(csv.DictReader(f))
    rate = {(r["target"], int(r["size"]), int(r["sessions"])): float(r["msg_per_s"]) for r in rows}
    sizes = sorted({int(r["size"]) for r in rows})
    sessions = sorted({int(r["sessions"]) for r in rows if r["target"] != "postgresql"})
    postgres = {int(r["size"]): float(r["msg_per_s"]) for r in rows if r["target"] == "postgresql"}

    fig, axes = plt.subplots(1, len(sizes), figsize=(4.6 * len(sizes), 4.4), sharey=True)
    if len(sizes) == 1:
        axes = [axes]
    for ax, size in zip(axes, sizes):
        grouped_bars(ax, [f"{s} session{'s' if s > 1 else ''}" for s in sessions],
                     [(label, colour, [rate.get((name, size, s), 0.0) for s in sessions])
                      for name, label, colour in TARGETS])
        if size in postgres:
            ax.axhline(postgres[size], color="#2ca02c", linestyle="--", linewidth=1.2,
                       label="PostgreSQL batched durable inserts (rows/s)")
        ax.set_title(f"{size // 1024} KiB messages")
        ax.set_yscale("log")
        ax.grid(axis="y", which="both", alpha=0.3)
    axes[0].set_ylabel("messages/s (log scale)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle("smtp-source on loopback, 2 cores: durably stored messages per second")
    fig.tight_layout(rect=(0, 0.07, 1, 0.95))
    fig.savefig(target, dpi=110)

    print("size,sessions,hato/smtp-sink,hato/postfix")
    for size in sizes:
        for s in sessions:
            hato, sink, postfix = (rate.get((t, size, s)) for t in ("hato", "smtp-sink", "postfix"))
            if hato and sink and postfix:
                print(f"{size},{s},{hato / sink:.0%},{hato / postfix:.1f}x")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot-smtp-load.py RESULTS.csv PLOT.png")
    main(sys.argv[1], sys.argv[2])
