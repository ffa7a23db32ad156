#!/usr/bin/env bash
# 10,000 concurrent IDLE sessions over TLS against the packaged Hato started with -Xmx1g: ImapIdle (benchmarks jar)
# opens them (100 accounts x 100 sessions: LOGIN or SCRAM-SHA-256, SELECT INBOX, IDLE), reads Hato's heap (jcmd
# GC.heap_info, before and after a full GC) and RSS (/proc) with all of them open, then delivers one message per
# account by SMTP and measures, for every session, the time from the SMTP 250 to the "* n EXISTS" it receives.
# Writes docs/img/imap-idle.csv; docs/benchmarks.md explains the figures.
#
#   mvn -B -DskipTests package
#   benchmarks/scripts/imap-idle.sh [WORK_DIR]       # a few minutes, most of it opening the sessions
#
# Knobs (environment): SESSIONS (10000), ACCOUNTS (100), ROUNDS (2 deliveries per account), GAP_MS (20 ms between
# deliveries), OPEN_CONCURRENCY (64 sessions being opened at a time), HATO_HEAP (1g), CLIENT_HEAP (2g), OUT
# (docs/img), HATO_IMAPS (12993), HATO_SMTP (12025), HATO_ROOT (the checkout, when running a copy of this script).
set -euo pipefail

ROOT="${HATO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
WORK="${1:-/tmp/hato-imap-idle}"
SESSIONS="${SESSIONS:-10000}"
ACCOUNTS="${ACCOUNTS:-100}"
ROUNDS="${ROUNDS:-2}"
GAP_MS="${GAP_MS:-20}"
OPEN_CONCURRENCY="${OPEN_CONCURRENCY:-64}"
HATO_HEAP="${HATO_HEAP:-1g}"
CLIENT_HEAP="${CLIENT_HEAP:-2g}"
OUT="${OUT:-$ROOT/docs/img}"
HATO_IMAPS="${HATO_IMAPS:-12993}"
HATO_SMTP="${HATO_SMTP:-12025}"
HATO_JAR="$ROOT/gateway/target/hato-exec.jar"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"

for jar in "$HATO_JAR" "$BENCH_JAR"; do
  [[ -f "$jar" ]] || { echo "imap-idle: $jar missing: mvn -B -DskipTests package" >&2; exit 1; }
done
for n in $SESSIONS $ACCOUNTS $ROUNDS $OPEN_CONCURRENCY; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "imap-idle: not a positive number: $n" >&2; exit 1; }
done
# Each session is a socket on both sides (the client and Hato are separate processes, each needs SESSIONS + slack).
need=$(( SESSIONS + 2048 ))
ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
(( $(ulimit -n) >= need )) || { echo "imap-idle: open files limited to $(ulimit -n), need $need (ulimit -Hn)" >&2; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
LOG="$WORK/run.log"
CSV="$OUT/imap-idle.csv"
say() { echo "$*" | tee -a "$LOG"; }
# shellcheck source=hato-run.sh
source "$ROOT/benchmarks/scripts/hato-run.sh"  # HATO_PID, hato_wait, hato_stop
trap hato_stop EXIT

say "imap-idle: $(date -u +%FT%TZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "  $SESSIONS sessions over $ACCOUNTS accounts, $ROUNDS deliveries per account, Hato -Xmx$HATO_HEAP"

echo "address,display_name,auth_id,password" > "$WORK/people.csv"
: > "$WORK/accounts.tsv"
for i in $(seq 1 "$ACCOUNTS"); do
  login="$(printf 'idle%04d' "$i")"
  echo "$login@idle.bench.example,Idle $i,$login,pw-$login" >> "$WORK/people.csv"
  printf '%s\tpw-%s\t%s@idle.bench.example\n' "$login" "$login" "$login" >> "$WORK/accounts.tsv"
done
DATA="$WORK/hato-data"
java -jar "$HATO_JAR" domain add idle.bench.example --data-dir "$DATA" >>"$LOG" 2>&1
java -jar "$HATO_JAR" user import "$WORK/people.csv" --out "$WORK/issued.csv" --data-dir "$DATA" >>"$LOG" 2>&1
java "-Xmx$HATO_HEAP" -jar "$HATO_JAR" serve --data-dir "$DATA" --hato.host-name=localhost \
  --hato.ports.smtp="$HATO_SMTP" --hato.ports.imaps="$HATO_IMAPS" --hato.ports.managesieve=0 --hato.ports.imap=0 \
  --hato.ports.submissions=0 --hato.ports.submission=0 --hato.ports.pop3=0 --hato.ports.pop3s=0 \
  --hato.ports.http=0 --hato.ports.https=0 --hato.max-connections-per-address=$(( SESSIONS + 1000 )) > "$WORK/hato.log" 2>&1 &
HATO_PID=$!
hato_wait imap-idle "$WORK/hato.log"
grep -q "imaps .*127.0.0.1:$HATO_IMAPS" "$WORK/hato.log" \
  || { echo "imap-idle: Hato is not up with an IMAPS listener (see $WORK/hato.log)" >&2; exit 1; }
say "  Hato pid $HATO_PID; before the sessions: RSS $(awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$HATO_PID/status") MiB"

[[ -f "$CSV" ]] || echo "date,sessions,accounts,rounds,idling,open_s,notified,missed,early,p50_ms,p99_ms,max_ms,data_p50_ms,data_p99_ms,data_max_ms,heap_used_mib,heap_live_mib,rss_mib,tree_rss_mib" > "$CSV"
set +e
java "-Xmx$CLIENT_HEAP" -cp "$BENCH_JAR" dev.hato.bench.load.ImapIdle --port "$HATO_IMAPS" \
  --accounts "$WORK/accounts.tsv" --ca "$DATA/tls/selfsigned-cert.pem" --sessions "$SESSIONS" \
  --open-concurrency "$OPEN_CONCURRENCY" --smtp-port "$HATO_SMTP" --rounds "$ROUNDS" --gap-ms "$GAP_MS" \
  --server-pid "$HATO_PID" --csv > "$WORK/imap-idle.out" 2>&1
status=$?
set -e
tee -a "$LOG" < "$WORK/imap-idle.out"
row="$(grep -E '^[0-9]+,[0-9]+,' "$WORK/imap-idle.out" | head -1)"
# only a run that ImapIdle judged good goes into the results; a failed one stays in its log
if [[ $status -eq 0 && -n "$row" ]]; then
  echo "$(date -u +%FT%TZ),$row" >> "$CSV"
else
  say "imap-idle: run failed (ImapIdle exit $status); not recorded in $CSV, see $LOG"
fi
grep -E ' ERROR |OutOfMemory' "$WORK/hato.log" | head -5 | tee -a "$LOG" || true
# the plot of every run in the CSV, when matplotlib is there (python3-matplotlib); the CSV is what counts
if "${PYTHON:-/usr/bin/python3}" -c 'import matplotlib' 2>/dev/null; then
  "${PYTHON:-/usr/bin/python3}" "$(dirname "${BASH_SOURCE[0]}")/plot-imap-idle.py" "$CSV" "${CSV%.csv}.png" || true
fi
say "imap-idle: done $(date -u +%FT%TZ) (ImapIdle exit $status); $CSV"
exit "$status"
