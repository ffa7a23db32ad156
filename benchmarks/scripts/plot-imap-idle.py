#!/usr/bin/env python3
"""Plots imap-idle.sh's CSV, one group of bars per run: the time from a delivery's SMTP 250 to the `* n EXISTS`
each idling session receives (p50, p99, max), against the issue's p99 target, and Hato's heap with all sessions
idling (used, and live after a full GC), against the 1 GiB target.

    python3 benchmarks/scripts/plot-imap-idle.py docs/img/imap-idle.csv docs/img/imap-idle.png
"""
import csv
import sys

from barplot import grouped_bars, plt

P99_TARGET_MS = 100
HEAP_TARGET_MIB = 1024


def main(source, target):
    with open(source, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"plot-imap-idle: no runs in {source}")
    runs = [f"{r['date'][:10]}\n{r['date'][11:16]} UTC\n{int(r['sessions']):,} sessions" for r in rows]

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [2, 1.4]})
    grouped_bars(left, runs, [
        ("p50", "#9ecae1", [float(r["p50_ms"]) for r in rows]),
        ("p99", "#1f77b4", [float(r["p99_ms"]) for r in rows]),
        ("max", "#08306b", [float(r["max_ms"]) for r in rows]),
    ])
    left.axhline(P99_TARGET_MS, color="#d62728", linestyle="--", linewidth=1, label=f"p99 target {P99_TARGET_MS} ms")
    left.set_ylabel("ms from SMTP 250 to * n EXISTS")
    left.set_title("notification latency per run")
    left.legend(fontsize=8)

    grouped_bars(right, runs, [
        ("heap used", "#fdae6b", [float(r["heap_used_mib"]) for r in rows]),
        ("live after full GC", "#e6550d", [float(r["heap_live_mib"]) for r in rows]),
    ])
    right.axhline(HEAP_TARGET_MIB, color="#d62728", linestyle="--", linewidth=1,
                  label=f"target {HEAP_TARGET_MIB} MiB")
    right.set_ylabel("MiB")
    right.set_title("Hato heap, all sessions idling")
    right.legend(fontsize=8)

    fig.suptitle("ImapIdle: TLS sessions idling in 100 INBOXes, one delivery per account per round "
                 "(client and server on the same 2 cores)", fontsize=10)
    fig.tight_layout(rect=(0, 0.02, 1, 0.94))
    fig.savefig(target, dpi=110)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot-imap-idle.py RESULTS.csv PLOT.png")
    main(sys.argv[1], sys.argv[2])
