#!/usr/bin/env bash
# Delivery with Sieve (issue 16, item 8): Hato's committed rate to a recipient with no script, to one whose
# typical 20-rule script (benchmarks/sieve/typical-20-rules.sieve) runs for every message, and to one whose
# vacation script answers every message; the three alternate in ROUNDS rounds of one run, so the ratios hold on a
# noisy machine. Postfix's smtp-source sends the load (postfix package). Usage:
#   mvn -B -DskipTests package && benchmarks/scripts/sieve-delivery.sh [WORK_DIR]
# Knobs (environment): MESSAGES (2000 per cell), SESSIONS (20), SIZE (10240), ROUNDS (3), WARMUP (20000),
# HATO_PORT (2537).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${1:-/tmp/hato-sieve-delivery}"
MESSAGES="${MESSAGES:-2000}"
SESSIONS="${SESSIONS:-20}"
SIZE="${SIZE:-10240}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-20000}"
HATO_PORT="${HATO_PORT:-2537}"
HATO_JAR="$ROOT/gateway/target/hato-exec.jar"
DOMAIN="hato.bench.example"
FROM="sender@client.bench.example"

for tool in smtp-source psql java; do
  command -v "$tool" >/dev/null || { echo "sieve-delivery: $tool not found" >&2; exit 1; }
done
[[ -f "$HATO_JAR" ]] || { echo "sieve-delivery: $HATO_JAR missing: mvn -B -DskipTests package" >&2; exit 1; }
for n in $MESSAGES $SESSIONS $SIZE $ROUNDS $WARMUP; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "sieve-delivery: not a positive number: $n" >&2; exit 1; }
done

rm -rf "$WORK"
mkdir -p "$WORK"
LOG="$WORK/run.log"
say() { echo "$*" | tee -a "$LOG"; }
hato() { java -jar "$HATO_JAR" "$@" --data-dir "$WORK/data" >>"$LOG" 2>&1; }

# shellcheck source=hato-run.sh
source "$ROOT/benchmarks/scripts/hato-run.sh"  # HATO_PID, hato_wait, hato_stop
trap hato_stop EXIT

say "sieve-delivery: $(date -u +%FT%TZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "  $MESSAGES messages of $SIZE octets over $SESSIONS sessions per cell, $ROUNDS rounds, commit $(git -C "$ROOT" rev-parse --short HEAD)"
hato domain add "$DOMAIN"
for user in plain filtered away; do hato user add "$user@$DOMAIN"; done
hato sieve put "filtered@$DOMAIN" "$ROOT/benchmarks/sieve/typical-20-rules.sieve" --activate
hato sieve put "away@$DOMAIN" "$ROOT/benchmarks/sieve/typical-20-rules.sieve" --name filters
hato sieve put "away@$DOMAIN" "$ROOT/benchmarks/sieve/vacation.sieve" --activate

# Outbound off: the vacation responses to client.bench.example are queued (committed), not sent.
java -jar "$HATO_JAR" serve --data-dir "$WORK/data" --hato.ports.smtp="$HATO_PORT" --hato.outbound.enabled=false \
  --hato.ports.submissions=0 --hato.ports.submission=0 --hato.ports.pop3=0 --hato.ports.pop3s=0 \
  --hato.ports.imap=0 --hato.ports.imaps=0 --hato.ports.managesieve=0 --hato.ports.http=0 --hato.ports.https=0 \
  --hato.max-connections-per-address=1000 > "$WORK/hato.log" 2>&1 &
HATO_PID=$!
hato_wait sieve-delivery "$WORK/hato.log"
PGPORT="$(sed -n 4p "$WORK/data/postgres/postmaster.pid")"
sql() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -Atq -c "$1"; }
stored() { sql "SELECT count(*) FROM message m JOIN account a ON a.id = m.account_id WHERE a.address = '$1@$DOMAIN'"; }

# Warm-up, not recorded: the JIT compiles the hot path, the filter step and the vacation path included.
for user in plain filtered away; do
  smtp-source -s "$SESSIONS" -m $((WARMUP / 3)) -l "$SIZE" -f "$FROM" -t "$user@$DOMAIN" \
    -M client.bench.example "127.0.0.1:$HATO_PORT"
done

echo "round,recipient,messages,seconds,msg_per_s" > "$WORK/sieve-delivery.csv"
for round in $(seq 1 "$ROUNDS"); do
  for user in plain filtered away; do
    before=$(stored "$user")
    start=$(date +%s.%N)
    smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f "$FROM" -t "$user@$DOMAIN" \
      -M client.bench.example "127.0.0.1:$HATO_PORT"
    end=$(date +%s.%N)
    after=$(stored "$user")
    [[ $((after - before)) -eq "$MESSAGES" ]] \
      || { say "sieve-delivery: $user stored $((after - before)) of $MESSAGES"; exit 1; }
    seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    rate=$(awk -v n="$MESSAGES" -v s="$seconds" 'BEGIN { printf "%.1f", n / s }')
    echo "$round,$user,$MESSAGES,$seconds,$rate" >> "$WORK/sieve-delivery.csv"
    say "  round $round  $(printf '%-8s' "$user") $MESSAGES in $seconds s = $rate msg/s"
  done
done
responses=$(sql "SELECT count(*) FROM queue_message WHERE sender = ''")
say "  vacation responses queued: $responses (one per message to away@, warm-up included)"
awk -F, 'NR > 1 { sum[$2] += $5; n[$2]++ } END {
  p = sum["plain"] / n["plain"]; f = sum["filtered"] / n["filtered"]; a = sum["away"] / n["away"];
  printf "  mean msg/s: no script %.1f, 20 rules %.1f (%.0f %%), vacation %.1f (%.0f %%)\n", p, f, 100 * f / p, a, 100 * a / p
}' "$WORK/sieve-delivery.csv" | tee -a "$LOG"
