#!/usr/bin/env python3
"""Plots imap-load.sh's CSV: IMAP commands/s of Dovecot and Hato per number of clients, and the p99 latency of each
command type at the largest number of clients.

    python3 benchmarks/scripts/plot-imap-load.py docs/img/imap-load.csv docs/img/imap-load.png

Also prints the ratio docs/benchmarks.md quotes: Hato / Dovecot commands/s per number of clients.
"""
import csv
import sys

from barplot import grouped_bars, plt

TARGETS = [("dovecot", "Dovecot (Maildir)", "#d62728"), ("hato", "Hato (PostgreSQL)", "#1f77b4")]
STEPS = ["connect", "login", "select", "fetch_headers", "fetch_body", "store", "append", "search", "logout"]


def main(source, target):
    with open(source, newline="") as f:
        rows = list(csv.DictReader(f))
    rate = {(r["target"], int(r["clients"])): float(r["per_s"]) for r in rows if r["step"] == "all"}
    p99 = {(r["target"], int(r["clients"]), r["step"]): float(r["p99_ms"] or "nan") for r in rows if r["step"] != "all"}
    clients = sorted({c for _, c in rate})
    present = [(name, label, colour) for name, label, colour in TARGETS if any(t == name for t, _ in rate)]

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [1, 2.2]})
    grouped_bars(left, [f"{c} clients" for c in clients],
                 [(label, colour, [rate.get((name, c)) for c in clients]) for name, label, colour in present])
    left.set_ylabel("IMAP commands/s (all responses checked)")
    left.set_title("throughput of the mix")
    left.grid(axis="y", alpha=0.3)
    most = clients[-1]
    grouped_bars(right, [s.replace("_", "\n") for s in STEPS],
                 [(label, colour, [p99.get((name, most, s)) for s in STEPS]) for name, label, colour in present],
                 fmt="{:,.1f}")
    right.set_ylabel("p99 latency, ms (log scale)")
    right.set_yscale("log")
    right.set_title(f"p99 per command at {most} clients (connect = TCP + TLS + greeting)")
    right.grid(axis="y", which="both", alpha=0.3)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.suptitle("ImapLoad on loopback, 2 cores, same accounts and messages: login, select, fetch 50 headers, "
                 "fetch a body, store, append, search, logout", fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    fig.savefig(target, dpi=110)

    print("clients,dovecot_cmd_per_s,hato_cmd_per_s,hato/dovecot")
    for c in clients:
        d, h = rate.get(("dovecot", c)), rate.get(("hato", c))
        print(f"{c},{d or ''},{h or ''},{f'{h / d:.2f}x' if d and h else ''}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot-imap-load.py RESULTS.csv PLOT.png")
    main(sys.argv[1], sys.argv[2])
