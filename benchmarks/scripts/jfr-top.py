#!/usr/bin/env python3
"""Summarises a JFR recording of the server for docs/benchmarks.md: where the sampled Java time went (top frames
and the packages of the top frame), how busy the JVM and the machine were (jdk.CPULoad), and GC pauses.

    python3 benchmarks/scripts/jfr-top.py /tmp/hato-smtp-load/hato-10k-20.jfr [TOP]
"""
import collections
import json
import subprocess
import sys


def events(recording, name):
    out = subprocess.run(["jfr", "print", "--json", "--events", name, recording], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def frame_name(frame):
    method = frame["method"]
    return f'{method["type"]["name"].replace("/", ".")}.{method["name"]}'


def package(name):
    parts = name.replace("/", ".").split(".")[:-1]  # without the class
    return ".".join(parts[:3]) if parts and parts[0] in ("dev", "io", "reactor", "org", "com") else ".".join(parts[:2])


def main(recording, top):
    samples = events(recording, "jdk.ExecutionSample")
    frames = collections.Counter()
    packages = collections.Counter()
    threads = collections.Counter()
    for sample in samples:
        stack = sample["values"]["stackTrace"]["frames"]
        if not stack:
            continue
        name = frame_name(stack[0])
        frames[name] += 1
        packages[package(stack[0]["method"]["type"]["name"])] += 1
        thread = sample["values"]["sampledThread"]["javaName"] or "?"
        threads[thread.rstrip("0123456789-")] += 1
    total = sum(frames.values()) or 1
    print(f"{total} Java execution samples")
    print("\ntop frames:")
    for name, n in frames.most_common(top):
        print(f"  {n / total:6.1%}  {name}")
    print("\ntop-frame packages:")
    for name, n in packages.most_common(top):
        print(f"  {n / total:6.1%}  {name}")
    print("\nthreads:")
    for name, n in threads.most_common(top):
        print(f"  {n / total:6.1%}  {name}")
    loads = events(recording, "jdk.CPULoad")
    if loads:
        avg = lambda key: sum(e["values"][key] for e in loads) / len(loads)
        print(f"\nCPU (jdk.CPULoad, {len(loads)} samples, share of all cores): JVM user {avg('jvmUser'):.0%}, "
              f"JVM system {avg('jvmSystem'):.0%}, whole machine {avg('machineTotal'):.0%}")
    pauses = events(recording, "jdk.GCPhasePause")
    if pauses:
        def millis(d):
            # JFR JSON durations look like "PT0.001234S".
            return float(d.strip("PTS")) * 1000
        total_ms = sum(millis(e["values"]["duration"]) for e in pauses)
        print(f"GC pauses: {len(pauses)}, {total_ms:.0f} ms in total")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: jfr-top.py RECORDING.jfr [TOP]")
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 15)
