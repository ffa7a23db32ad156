#!/usr/bin/env bash
# Benchmark of `hato user import` (issue 5): 10,000 people from a deterministic CSV into the embedded PostgreSQL.
# Starts no server: each `hato` command starts the embedded PostgreSQL in the data directory and stops it again.
#
#   benchmarks/scripts/import-10k.sh [DATA_DIR]        (default /tmp/hato-import-bench; it is deleted first)
#
# Needs gateway/target/hato-exec.jar (mvn -B -DskipTests package). Runs three imports into fresh domains:
#   1. 10,000 new people with local passwords (half generated, half given): Argon2id hashing dominates;
#   2. the same file again: nothing changes (the given passwords are verified, the generated ones kept);
#   3. 10,000 new people with password "external": the database path alone.
# Each prints hato's own summary (time split into checking, hashing, database) and the process wall time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="$root/gateway/target/hato-exec.jar"
data="${1:-/tmp/hato-import-bench}"
rows="${ROWS:-10000}"
[[ -f "$jar" ]] || { echo "missing $jar: run mvn -B -DskipTests package" >&2; exit 1; }
rm -rf "$data"
mkdir -p "$data"

hato() { java ${HATO_JAVA_OPTS:-} -jar "$jar" "$@" --data-dir "$data/hato"; }

# Deterministic people: person00001@DOMAIN ...; every 3rd name Japanese, every 3rd with a comma and quotes (so
# quoted); every 10th row brings its own auth ID; PASSWORDS=local: odd rows a given password, even rows empty
# (generated); PASSWORDS=external: all "external".
generate() { # DOMAIN PASSWORDS FILE
  awk -v domain="$1" -v passwords="$2" -v rows="$rows" 'BEGIN {
    printf "address,display_name,auth_id,password\r\n";
    for (i = 1; i <= rows; i++) {
      if (i % 3 == 0) name = sprintf("山田 太郎 %05d", i);
      else if (i % 3 == 1) name = sprintf("\"Doe, Jane \"\"J\"\" %05d\"", i);
      else name = sprintf("Person %05d", i);
      id = (i % 10 == 0) ? sprintf("%s.%05d", passwords, i) : "";
      if (passwords == "external") pw = "external";
      else pw = (i % 2 == 1) ? sprintf("Bench-pass-%05d", i) : "";
      printf "person%05d@%s,%s,%s,%s\r\n", i, domain, name, id, pw;
    }
  }' > "$3"
}

timed() { # LABEL COMMAND...
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  awk -v l="$label" -v s="$start" -v e="$end" 'BEGIN { printf "%s: process wall time %.2f s\n", l, e - s }'
}

echo "== $(nproc) cores, $(java -version 2>&1 | head -1), rows=$rows"
hato domain add local.bench.example >/dev/null
hato domain add external.bench.example >/dev/null
generate local.bench.example local "$data/local.csv"
generate external.bench.example external "$data/external.csv"

echo "== 1. new people with local passwords"
timed "import local" hato user import "$data/local.csv" --out "$data/local-issued.csv"
echo "== 2. the same file again"
timed "re-import local" hato user import "$data/local.csv" --out "$data/local-again.csv"
echo "== 3. new people with external passwords"
timed "import external" hato user import "$data/external.csv" --out "$data/external-issued.csv"
echo "== issued lists"
ls -l "$data"/*-issued.csv "$data/local-again.csv"
