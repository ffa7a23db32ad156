#!/usr/bin/env python3
"""Summarises an async-profiler collapsed-stack file (start,event=itimer,threads ... stop,collapsed): CPU share by
thread group, by the leaf frame, and by the first frame of interest (Hato, the R2DBC driver, Netty, the JIT, GC).

    python3 benchmarks/scripts/collapsed-top.py /tmp/hato-prof/load.collapsed [TOP]
"""
import collections
import re
import sys

GROUPS = [
    ("dev/hato/store/pg", "Hato store (BatchWriter, PgDirectory, ...)"),
    ("dev/hato/smtp/wire", "Hato SMTP codecs"),
    ("dev/hato/smtp/session", "Hato SMTP session"),
    ("dev/hato/delivery", "Hato delivery (spool, resolver, trace)"),
    ("dev/hato/edge", "Hato edge (SessionHandler)"),
    ("dev/hato", "Hato, other"),
    ("io/r2dbc", "R2DBC driver and pool"),
    ("reactor/netty", "Reactor Netty"),
    ("reactor/core", "Reactor core"),
    ("io/netty", "Netty"),
    ("sun/security", "JDK security (SHA-256, ...)"),
    ("java/", "JDK library"),
]


def thread_group(name):
    name = re.sub(r"[-_ #]?\d+(\.\d+)?\]?$", "", name.strip("[]"))
    return re.sub(r"\d+", "N", name)


def main(path, top):
    threads, leaves, areas = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            n = int(count)
            frames = stack.split(";")
            total += n
            threads[thread_group(frames[0])] += n
            leaves[frames[-1]] += n
            area = "native, kernel or JVM internals"
            if any(frame.startswith(("C2Compiler", "Compile", "C1Compiler")) for frame in frames[1:]):
                area = "JIT compiler"
            elif any(frame.startswith(("G1", "GC", "ConcurrentGC")) for frame in frames[1:]):
                area = "garbage collector"
            else:
                # The most specific group anywhere in the stack: Hato before the libraries it calls.
                area = next((label for prefix, label in GROUPS if any(f.startswith(prefix) for f in frames[1:])),
                            area)
            areas[area] += n
    print(f"{total} samples")
    for title, counter in (("threads", threads), ("first frame of interest", areas), ("leaf frames", leaves)):
        print(f"\n{title}:")
        for name, n in counter.most_common(top):
            print(f"  {n / total:6.1%}  {name[:110]}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: collapsed-top.py PROFILE.collapsed [TOP]")
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 15)
