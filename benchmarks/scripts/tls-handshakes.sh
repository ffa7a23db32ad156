#!/usr/bin/env bash
# Full TLS handshakes per second on IMAPS, Hato beside Dovecot in one run: OpenSSL's s_time -new (a full handshake
# per connection, no resumption), CLIENTS clients in parallel against one server at a time, alternating Hato and
# Dovecot ROUNDS times, each with a self-signed certificate of the same key type. Prints one line per cell and the
# ratio; writes a CSV. docs/benchmarks.md ("TLS handshakes: Hato and Dovecot") explains the figures.
#
#   mvn -B -DskipTests package                                   # gateway/target/hato-exec.jar
#   DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd dovecot-lmtpd
#   benchmarks/scripts/tls-handshakes.sh [WORK_DIR]              # as root (Dovecot); about 4 minutes per key type
#
# Knobs (environment): KEYS ("rsa ec": rsa = RSA-2048, ec = ECDSA P-256, for both servers), ROUNDS (2), SECONDS_PER_CELL
# (10, s_time -time), CLIENTS (4), WARMUP (120 s of CLIENTS clients against Hato first, not recorded: with 5 s the
# C2 compiler still took a third of Hato's CPU in the first rounds, and 60 s left it 20 % short), HATO_IMAPS (11993), DOVECOT_IMAPS (12993), HATO_JAVA_OPTS (for the server JVM,
# e.g. a -XX:StartFlightRecording=...), HATO_ROOT (the checkout, when running a copy of this script), OUT (docs/img).
# Loopback only; everything started here is stopped on exit.
set -euo pipefail

ROOT="${HATO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
WORK="${1:-/tmp/hato-tls-handshakes}"
KEYS="${KEYS:-rsa ec}"
ROUNDS="${ROUNDS:-2}"
SECONDS_PER_CELL="${SECONDS_PER_CELL:-10}"
WARMUP="${WARMUP:-120}"
CLIENTS="${CLIENTS:-4}"
HATO_IMAPS="${HATO_IMAPS:-11993}"
DOVECOT_IMAPS="${DOVECOT_IMAPS:-12993}"
OUT="${OUT:-$ROOT/docs/img}"
HATO_JAR="$ROOT/gateway/target/hato-exec.jar"

for tool in dovecot doveadm openssl java timeout; do
  command -v "$tool" >/dev/null || { echo "tls-handshakes: $tool not found (see the header of this script)" >&2; exit 1; }
done
[[ -f "$HATO_JAR" ]] || { echo "tls-handshakes: $HATO_JAR missing: mvn -B -DskipTests package" >&2; exit 1; }
for n in $ROUNDS $SECONDS_PER_CELL $WARMUP $CLIENTS $HATO_IMAPS $DOVECOT_IMAPS; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "tls-handshakes: not a positive number: $n" >&2; exit 1; }
done
for key in $KEYS; do
  [[ "$key" == rsa || "$key" == ec ]] || { echo "tls-handshakes: KEYS takes rsa and ec, not $key" >&2; exit 1; }
done

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
CSV="$OUT/tls-handshakes.csv"
LOG="$WORK/run.log"
echo "key,round,server,handshakes,seconds,handshakes_per_s,load1,server_cpu_ms_per_handshake" > "$CSV"
now() { date +%s.%N; }
say() { echo "$*" | tee -a "$LOG"; }
load1() { cut -d' ' -f1 /proc/loadavg; }
# shellcheck source=proc-cpu.sh
source "$ROOT/benchmarks/scripts/proc-cpu.sh"  # ticks, per_unit: CPU of a server's process tree

HATO_PID=""
DOVECOT_CONF=""
cleanup() {
  if [[ -n "$HATO_PID" ]]; then
    kill "$HATO_PID" 2>/dev/null || true
    wait "$HATO_PID" 2>/dev/null || true
  fi
  [[ -n "$DOVECOT_CONF" ]] && doveadm -c "$DOVECOT_CONF" stop 2>/dev/null || true
}
trap cleanup EXIT

start_hato() {  # start_hato KEY: a fresh data dir, so the self-signed certificate is generated with that key type
  local key=$1 data="$WORK/hato-$1"
  # shellcheck disable=SC2086
  java ${HATO_JAVA_OPTS:-} -jar "$HATO_JAR" serve --data-dir "$data" --hato.ports.imaps="$HATO_IMAPS" --hato.ports.managesieve=0 \
    --hato.ports.smtp=0 --hato.ports.submissions=0 --hato.ports.submission=0 --hato.ports.pop3=0 \
    --hato.ports.pop3s=0 --hato.ports.imap=0 --hato.ports.http=0 --hato.ports.management=0 --hato.ports.https=0 \
    --hato.tls.self-signed-key-type="$key" --hato.max-connections-per-address=1000 > "$WORK/hato-$key.log" 2>&1 &
  HATO_PID=$!
  for _ in $(seq 1 240); do
    grep -q "Stop with Ctrl-C" "$WORK/hato-$key.log" && return 0
    kill -0 "$HATO_PID" 2>/dev/null || { echo "tls-handshakes: Hato did not start, see $WORK/hato-$key.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "tls-handshakes: Hato not up after 120 s" >&2; exit 1
}

start_dovecot() {  # start_dovecot KEY: dovecot-setup.sh with a certificate of that key type made beforehand
  local key=$1 dir="$WORK/dovecot-$1"
  mkdir -p "$dir"
  local newkey="rsa:2048"
  [[ "$key" == ec ]] && newkey="ec -pkeyopt ec_paramgen_curve:P-256"
  # shellcheck disable=SC2086
  openssl req -x509 -newkey $newkey -nodes -days 30 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  DOVECOT_IMAPS="$DOVECOT_IMAPS" DOVECOT_IMAP=0 DOVECOT_LMTP=0 \
    "$ROOT/benchmarks/scripts/dovecot-setup.sh" "$dir" bench:bench >>"$LOG"
  DOVECOT_CONF="$dir/dovecot.conf"
  DOVECOT_PID="$(cat "$dir/run/master.pid")"
}

# What both sides negotiate with the same client: protocol, cipher, group, certificate key.
negotiated() {
  echo | timeout 10 openssl s_client -connect "127.0.0.1:$1" 2>&1 \
    | grep -E '^(New, |Server public key|Peer signature type|Server Temp Key)' | paste -sd'|' | sed 's/|/; /g'
}

# One cell: CLIENTS s_time -new clients for SECONDS_PER_CELL against PORT; prints the CSV row.
cell() {
  local key=$1 round=$2 server=$3 port=$4 pid=$5 s0 s1 t0 t1 i total=0 n clients=()
  s0=$(ticks "$pid")
  t0=$(now)
  for i in $(seq 1 "$CLIENTS"); do
    timeout $(( SECONDS_PER_CELL + 30 )) openssl s_time -connect "127.0.0.1:$port" -new -time "$SECONDS_PER_CELL" \
      > "$WORK/s_time-$server-$key-$round-$i.out" 2>&1 &
    clients+=($!)
  done
  wait "${clients[@]}" || true
  t1=$(now)
  s1=$(ticks "$pid")
  for i in $(seq 1 "$CLIENTS"); do
    # "N connections in T real seconds, ..." (the second summary line, wall clock)
    n=$(awk '/connections in [0-9]+ real seconds/ { print $1 }' "$WORK/s_time-$server-$key-$round-$i.out")
    [[ -n "$n" ]] || { say "tls-handshakes: s_time against $server failed: $WORK/s_time-$server-$key-$round-$i.out"; exit 1; }
    total=$(( total + n ))
  done
  # The wall time of the cell: s_time runs past -time until its current connection ends.
  local rate cpu seconds
  seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  rate=$(awk -v n="$total" -v s="$seconds" 'BEGIN { printf "%.1f", n / s }')
  cpu=$(per_unit $(( s1 - s0 )) "$total")
  echo "$key,$round,$server,$total,$seconds,$rate,$(load1),$cpu" >> "$CSV"
  printf '  %-3s round %d %-8s %6d handshakes in %ss = %7.1f/s (load %s), server CPU %s ms/handshake\n' \
    "$key" "$round" "$server" "$total" "$seconds" "$rate" "$(load1)" "$cpu" | tee -a "$LOG"
}

say "tls-handshakes: $(date -u +%FT%TZ) on $(nproc) cores, $(uname -r), $(openssl version | cut -d' ' -f1-2), load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "  keys [$KEYS], $ROUNDS rounds, $CLIENTS clients x ${SECONDS_PER_CELL}s of openssl s_time -new per cell"
for key in $KEYS; do
  start_hato "$key"
  start_dovecot "$key"
  say "  $key: Hato    $(negotiated "$HATO_IMAPS")"
  say "  $key: Dovecot $(negotiated "$DOVECOT_IMAPS")"
  # Warm-up, not recorded: the JIT compiles Hato's handshake path; Dovecot starts its login processes.
  warm=()
  for i in $(seq 1 "$CLIENTS"); do
    timeout $(( WARMUP + 30 )) openssl s_time -connect "127.0.0.1:$HATO_IMAPS" -new -time "$WARMUP" >/dev/null 2>&1 &
    warm+=($!)
  done
  timeout 40 openssl s_time -connect "127.0.0.1:$DOVECOT_IMAPS" -new -time 5 >/dev/null 2>&1 & warm+=($!)
  wait "${warm[@]}" || true
  for round in $(seq 1 "$ROUNDS"); do
    cell "$key" "$round" hato "$HATO_IMAPS" "$HATO_PID"
    cell "$key" "$round" dovecot "$DOVECOT_IMAPS" "$DOVECOT_PID"
  done
  awk -F, -v k="$key" '$1 == k && $3 == "hato" { h += $6; hc += $8; nh++ } $1 == k && $3 == "dovecot" { d += $6; dc += $8; nd++ }
    END { printf "  %s: Hato %.0f/s (%.2f ms CPU), Dovecot %.0f/s (%.2f ms CPU): Hato/Dovecot %.2f\n", k, h / nh, hc / nh, d / nd, dc / nd, (h / nh) / (d / nd) }' \
    "$CSV" | tee -a "$LOG"
  kill "$HATO_PID" 2>/dev/null || true
  wait "$HATO_PID" 2>/dev/null || true
  HATO_PID=""
  doveadm -c "$DOVECOT_CONF" stop 2>/dev/null || true
  DOVECOT_CONF=""
done
say "tls-handshakes: done, $CSV"
