#!/usr/bin/env bash
# Regenerates the expected column of sieve/src/test/resources/match/oracle-cases.tsv from Pigeonhole's sieve-test
# (through sieve-reference.sh, same installation: apt-get install -y dovecot-sieve), so the cases that
# dev.hato.sieve.match.OracleCasesTest checks stay what the reference implementation does.
#
#   benchmarks/scripts/sieve-match-oracle.sh [TSV]          # prints the regenerated file to stdout
#   benchmarks/scripts/sieve-match-oracle.sh --check [TSV]  # exit 1 if an "oracle" row is not what sieve-test says
#
# Each row (see the file's header) becomes a script
#   require [...]; if string :MATCH :comparator "C" "VALUE" "KEY" { fileinto "0=${0}"; fileinto "1=${1}"; ... }
#   else { fileinto "no-match"; }
# whose actions give the result and the captures. Rows whose first column is "oracle" get sieve-test's answer; rows
# marked "differs" are Hato's intended differences: kept as written, with what sieve-test says printed to stderr.
# One sieve-test run per row (about 50 ms each). Values must not contain "${" (the variables extension would expand
# it), tabs or line breaks.
set -euo pipefail
check=0
if [ "${1:-}" = --check ]; then
  check=1
  shift
fi
here=$(cd "$(dirname "$0")" && pwd)
tsv=${1:-$here/../../sieve/src/test/resources/match/oracle-cases.tsv}
exec python3 - "$here/sieve-reference.sh" "$tsv" "$check" <<'PY'
import os, subprocess, sys, tempfile

reference, tsv, check = sys.argv[1], sys.argv[2], sys.argv[3] == "1"

def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

def wildcards(key):
    n, i = 0, 0
    while i < len(key):
        if key[i] == "\\":
            i += 2
            continue
        n += key[i] in "*?"
        i += 1
    return n

def run(comparator, match, key, value):
    tag = ":" + match if not match.startswith("value-") else ':value "' + match[6:] + '"'
    test = "string %s :comparator %s %s %s" % (tag, quote(comparator), quote(value), quote(key))
    if match == "matches":
        then = " ".join('fileinto "%d=${%d}";' % (i, i) for i in range(wildcards(key) + 1))
    else:
        then = 'fileinto "match";'
    script = ('require ["variables", "fileinto", "relational", "comparator-i;ascii-numeric"];\n'
              "if %s { %s } else { fileinto \"no-match\"; }\n" % (test, then))
    with tempfile.TemporaryDirectory() as work:
        with open(os.path.join(work, "s.sieve"), "w", encoding="utf-8") as f:
            f.write(script)
        with open(os.path.join(work, "m.eml"), "w") as f:
            f.write("From: a@example.org\r\nTo: user@example.org\r\nSubject: x\r\n\r\nbody\r\n")
        out = subprocess.run([reference, os.path.join(work, "s.sieve"), os.path.join(work, "m.eml")],
                             capture_output=True, text=True, errors="backslashreplace")
    if out.returncode != 0:
        return ["error:" + out.stderr.strip().splitlines()[0] if out.stderr.strip() else "error"]
    folders = [line.split("store message in folder: ", 1)[1] for line in out.stdout.splitlines()
               if "store message in folder: " in line]
    if folders == ["no-match"]:
        return ["no-match"]
    if match != "matches":
        return ["match"]
    return ["match"] + [f.split("=", 1)[1] for f in folders]

failed = False
with open(tsv, encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            print(line)
            continue
        cols = line.split("\t")
        source, comparator, match, key, value = cols[:5]
        got = run(comparator, match, key, value)
        if source == "oracle":
            if check and cols[5:] != got:
                print("differs from sieve-test: %s\n  sieve-test: %s" % (line, "\t".join(got)), file=sys.stderr)
                failed = True
            print("\t".join(cols[:5] + got))
        else:
            print(line)
            print("%s (intended): Hato %s; sieve-test %s" % (key + " / " + value, cols[5:], got), file=sys.stderr)
sys.exit(1 if failed else 0)
PY
