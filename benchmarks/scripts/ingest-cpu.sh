#!/usr/bin/env bash
# CPU per delivered message, the JVM and PostgreSQL apart, for one build of Hato: a fresh data directory, W messages
# of warm-up, then N messages of 10 KiB from Postfix's smtp-source with 20 sessions, timed and counted in CPU ticks of
# the JVM and of the PostgreSQL process tree. Shorter than smtp-load.sh (about a minute), for alternating runs of two
# builds on this noisy machine; the JIT is still compiling after a short warm-up, so compare builds, not absolutes.
#
#   ingest-cpu.sh <checkout with gateway/target/hato-exec.jar> [WORK_DIR]
#
# Knobs (environment): N (3000), W (2000), SIZE (10240), SESSIONS (20), PORT (2537), LOAD (smtp-source, or
# realistic: realistic_load.py's mixed sizes, multipart and attachments, English and Japanese; SIZE unused), PRE_SQL (run in Hato's database
# before the warm-up, e.g. to drop an index for a what-if), HATO_JAVA_OPTS (JVM options of the server, e.g. a JFR
# recording). Prints one line: build, msg/s, JVM and PostgreSQL CPU ms
# per message (with LOAD=realistic the rate to quote is the one realistic_load.py prints, since this one also
# counts the time Python takes to generate the messages before it sends them).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$1"; WORK="${2:-/tmp/hato-ingest-cpu}"
N="${N:-3000}"; W="${W:-2000}"; SIZE="${SIZE:-10240}"; SESSIONS="${SESSIONS:-20}"; PORT="${PORT:-2537}"
# shellcheck source=proc-cpu.sh
source "$HERE/proc-cpu.sh"
for tool in smtp-source psql java bc; do
  command -v "$tool" >/dev/null || { echo "ingest-cpu: $tool not found (apt-get install postfix postgresql-client bc)" >&2; exit 1; }
done
JAR="$ROOT/gateway/target/hato-exec.jar"
[[ -f "$JAR" ]] || { echo "ingest-cpu: $JAR missing: mvn -B -DskipTests package in $ROOT" >&2; exit 1; }
rm -rf "$WORK"; mkdir -p "$WORK"; D="$WORK/data"
java -jar "$JAR" domain add hato.bench.example --data-dir "$D" >/dev/null 2>&1
java -jar "$JAR" user add load@hato.bench.example --data-dir "$D" >/dev/null 2>&1
java ${HATO_JAVA_OPTS:-} -jar "$JAR" serve --data-dir "$D" --hato.ports.smtp="$PORT" --hato.ports.submissions=0 --hato.ports.submission=0 \
  --hato.ports.pop3=0 --hato.ports.pop3s=0 --hato.ports.imap=0 --hato.ports.imaps=0 --hato.ports.managesieve=0 --hato.ports.http=0 \
  --hato.max-connections-per-address=1000 > "$WORK/hato.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 120); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.5; done
PG="$(sed -n 1p "$D/postgres/postmaster.pid")"
if [[ -n "${PRE_SQL:-}" ]]; then
  psql -h 127.0.0.1 -p "$(sed -n 4p "$D/postgres/postmaster.pid")" -U postgres -d postgres -Atq -c "$PRE_SQL"
fi
SEED=1
send() {
  if [[ "${LOAD:-smtp-source}" == realistic ]]; then
    SEED=$((SEED + 1))
    python3 "$HERE/realistic_load.py" --port "$PORT" --to load@hato.bench.example --messages "$1" \
      --sessions "$SESSIONS" --seed "$SEED" >&2
  else
    smtp-source -s "$SESSIONS" -m "$1" -l "$SIZE" -f s@client.example -t load@hato.bench.example \
      -M client.example "127.0.0.1:$PORT"
  fi
}
send "$W"
sleep 1
h0=$(ticks "$PID"); p0=$(ticks "$PG"); t0=$(date +%s.%N)
send "$N"
t1=$(date +%s.%N); h1=$(ticks "$PID"); p1=$(ticks "$PG")
awk -v n="$N" -v t="$(echo "$t1 - $t0" | bc)" -v h=$((h1 - h0)) -v p=$((p1 - p0)) -v r="$ROOT" \
  'BEGIN { printf "%s %.0f msg/s, JVM %.2f ms/msg, PostgreSQL %.2f ms/msg\n", r, n / t, h * 10 / n, p * 10 / n }'
