#!/usr/bin/env bash
# IMAP side by side, in one run: Dovecot from Debian (Maildir) and Hato (embedded PostgreSQL) get the same accounts
# and the same messages, then ImapLoad (benchmarks jar) runs its checked mix against each in turn — connect over
# implicit TLS, LOGIN, SELECT INBOX, FETCH 1:50 header fields, FETCH one BODY.PEEK[], STORE +FLAGS (\Seen), APPEND,
# UID SEARCH, LOGOUT — with 10 and then 50 clients. Writes a CSV and a PNG; docs/benchmarks.md explains the figures.
#
#   mvn -B -DskipTests package                       # gateway/target/hato-exec.jar, benchmarks/target/benchmarks.jar
#   DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd dovecot-lmtpd python3-matplotlib
#   benchmarks/scripts/imap-load.sh [WORK_DIR]      # as root (Dovecot keeps mail as a local user); ~10 minutes
#
# Knobs (environment): CLIENTS ("10 50"), DURATION (30 s measured per cell), WARMUP (5 s per cell, not recorded),
# JIT_WARMUP (30 s of 10 clients against Hato before the first cell), TARGETS ("dovecot hato"; one of them alone
# validates the tools without the other), DOVECOT_PASSWORDS (hato: Dovecot verifies the same Argon2id hashes Hato
# stored, so that LOGIN costs both the same; plain: PLAIN passwords, the only choice without Hato), ACCOUNTS (50; client i uses account i mod
# ACCOUNTS), MESSAGES (60 per account before the run), PYTHON (/usr/bin/python3, with matplotlib), OUT (docs/img),
# HATO_ROOT (the checkout, when running a copy of this script), HATO_JAVA_OPTS, ports DOVECOT_IMAPS (10993),
# DOVECOT_LMTP (10024), HATO_IMAPS (11993), HATO_SMTP (11025).
# Both servers are checked the same way: every response of every command (ImapLoad counts a wrong one as an error,
# and the run fails on any error).
set -euo pipefail

ROOT="${HATO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
WORK="${1:-/tmp/hato-imap-load}"
CLIENTS="${CLIENTS:-10 50}"
DURATION="${DURATION:-30}"
TARGETS="${TARGETS:-dovecot hato}"
DOVECOT_PASSWORDS="${DOVECOT_PASSWORDS:-hato}"  # hato: Hato's Argon2id hashes; plain: PLAIN (no hash at login)
[[ " $TARGETS " == *" hato "* ]] || DOVECOT_PASSWORDS=plain
WARMUP="${WARMUP:-5}"
JIT_WARMUP="${JIT_WARMUP:-30}"
ACCOUNTS="${ACCOUNTS:-50}"
MESSAGES="${MESSAGES:-60}"
PYTHON="${PYTHON:-/usr/bin/python3}"
OUT="${OUT:-$ROOT/docs/img}"
DOVECOT_IMAPS="${DOVECOT_IMAPS:-10993}"
DOVECOT_LMTP="${DOVECOT_LMTP:-10024}"
HATO_IMAPS="${HATO_IMAPS:-11993}"
HATO_SMTP="${HATO_SMTP:-11025}"
HATO_JAR="$ROOT/gateway/target/hato-exec.jar"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
SCRIPTS="$ROOT/benchmarks/scripts"

for tool in dovecot doveadm java psql "$PYTHON"; do
  command -v "$tool" >/dev/null || { echo "imap-load: $tool not found (see the header of this script)" >&2; exit 1; }
done
for jar in "$HATO_JAR" "$BENCH_JAR"; do
  [[ -f "$jar" ]] || { echo "imap-load: $jar missing: mvn -B -DskipTests package" >&2; exit 1; }
done
for n in $CLIENTS $DURATION $JIT_WARMUP $ACCOUNTS $MESSAGES; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "imap-load: not a positive number: $n" >&2; exit 1; }
done
# shellcheck source=proc-cpu.sh
source "$SCRIPTS/proc-cpu.sh"  # descendants, ticks, per_unit: CPU of a server's process tree

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
CSV="$OUT/imap-load.csv"
LOG="$WORK/run.log"
echo "target,clients,step,count,per_s,p50_ms,p99_ms,max_ms,errors,client_cpu_ms_per_cmd,server_cpu_ms_per_cmd,load1" > "$CSV"
say() { echo "$*" | tee -a "$LOG"; }
load1() { cut -d' ' -f1 /proc/loadavg; }

DOVECOT_DIR="$WORK/dovecot"
HATO_PID=""
cleanup() {
  [[ -f "$DOVECOT_DIR/dovecot.conf" ]] && doveadm -c "$DOVECOT_DIR/dovecot.conf" stop 2>/dev/null || true
  if [[ -n "$HATO_PID" ]]; then
    kill "$HATO_PID" 2>/dev/null || true  # SIGTERM: Hato stops its listeners and its PostgreSQL
    wait "$HATO_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

say "imap-load: $(date -u +%FT%TZ) on $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "  clients [$CLIENTS], $DURATION s per cell after $WARMUP s, $ACCOUNTS accounts x $MESSAGES messages"

# --- the same accounts on both: login benchNNN, password pw-benchNNN --------------------------------------------------
users=()
echo "address,display_name,auth_id,password" > "$WORK/people.csv"
: > "$WORK/hato-accounts.tsv"
: > "$WORK/dovecot-accounts.tsv"
for i in $(seq 1 "$ACCOUNTS"); do
  login="$(printf 'bench%03d' "$i")"
  users+=("$login:pw-$login")
  echo "$login@hato.bench.example,Bench $i,$login,pw-$login" >> "$WORK/people.csv"
  printf '%s\tpw-%s\t%s@hato.bench.example\n' "$login" "$login" "$login" >> "$WORK/hato-accounts.tsv"
  printf '%s\tpw-%s\t%s@dovecot.bench.example\n' "$login" "$login" "$login" >> "$WORK/dovecot-accounts.tsv"
done

# --- Dovecot -------------------------------------------------------------------------------------------------------
DOVECOT_IMAPS="$DOVECOT_IMAPS" DOVECOT_IMAP=0 DOVECOT_LMTP="$DOVECOT_LMTP" \
  "$SCRIPTS/dovecot-setup.sh" "$DOVECOT_DIR" "${users[@]}" >>"$LOG"
DOVECOT_PID="$(cat "$DOVECOT_DIR/run/master.pid")"
say "  Dovecot $(dovecot --version | cut -d' ' -f1) pid $DOVECOT_PID, IMAPS 127.0.0.1:$DOVECOT_IMAPS"

# --- Hato ----------------------------------------------------------------------------------------------------------
HATO_DATA="$WORK/hato-data"
if [[ " $TARGETS " == *" hato "* ]]; then
java -jar "$HATO_JAR" domain add hato.bench.example --data-dir "$HATO_DATA" >>"$LOG" 2>&1
java -jar "$HATO_JAR" user import "$WORK/people.csv" --out "$WORK/issued.csv" --data-dir "$HATO_DATA" >>"$LOG" 2>&1
# shellcheck disable=SC2086
java ${HATO_JAVA_OPTS:-} -jar "$HATO_JAR" serve --data-dir "$HATO_DATA" --hato.host-name=localhost \
  --hato.ports.smtp="$HATO_SMTP" --hato.ports.imaps="$HATO_IMAPS" --hato.ports.managesieve=0 --hato.ports.imap=0 \
  --hato.ports.submissions=0 --hato.ports.submission=0 --hato.ports.pop3=0 --hato.ports.pop3s=0 \
  --hato.ports.http=0 --hato.ports.https=0 --hato.max-connections-per-address=1000 > "$WORK/hato.log" 2>&1 &
HATO_PID=$!
for _ in $(seq 1 240); do
  grep -q "Stop with Ctrl-C" "$WORK/hato.log" && break
  kill -0 "$HATO_PID" 2>/dev/null || { echo "imap-load: Hato did not start, see $WORK/hato.log" >&2; exit 1; }
  sleep 0.5
done
grep -q "Stop with Ctrl-C" "$WORK/hato.log" || { echo "imap-load: Hato not up after 120 s" >&2; exit 1; }
grep -q "imaps .*127.0.0.1:$HATO_IMAPS" "$WORK/hato.log" \
  || { echo "imap-load: this Hato has no IMAPS listener (see $WORK/hato.log)" >&2; exit 1; }
say "  Hato pid $HATO_PID, IMAPS 127.0.0.1:$HATO_IMAPS, SMTP 127.0.0.1:$HATO_SMTP"
if [[ "$DOVECOT_PASSWORDS" == hato ]]; then
  # Dovecot gets the very Argon2id hashes Hato stored (PHC strings, m=19456 KiB, t=2, p=1; Dovecot verifies them
  # with libsodium), so a LOGIN costs both servers the same hash. The passwd-file is re-read when it changes.
  PGPORT="$(sed -n 4p "$HATO_DATA/postgres/postmaster.pid")"
  PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -Atq \
    -v ON_ERROR_STOP=1 -F ':' -c "SELECT auth_id, '{ARGON2ID}' || split_part(password_hash, ' ', 1) FROM account
                                  WHERE auth_id LIKE 'bench%' ORDER BY auth_id" > "$WORK/passwd.new"
  [[ "$(wc -l < "$WORK/passwd.new")" == "$ACCOUNTS" ]] || { say "imap-load: Hato's hashes not found"; exit 1; }
  cat "$WORK/passwd.new" > "$DOVECOT_DIR/passwd"
  say "  Dovecot's passwd-file now holds Hato's Argon2id hashes"
fi
fi

# --- the same messages in both -------------------------------------------------------------------------------------
[[ " $TARGETS " == *" dovecot "* ]] && say "  seeding Dovecot over LMTP: $("$PYTHON" "$SCRIPTS/imap-seed.py" --lmtp \
  "$DOVECOT_LMTP" "$WORK/dovecot-accounts.tsv" "$MESSAGES") messages"
[[ " $TARGETS " == *" hato "* ]] && say "  seeding Hato over SMTP: $("$PYTHON" "$SCRIPTS/imap-seed.py" --smtp \
  "$HATO_SMTP" "$WORK/hato-accounts.tsv" "$MESSAGES") messages"

load() { # load TARGET CLIENTS SECONDS WARMUP [--csv]
  local target=$1 clients=$2 seconds=$3 warmup=$4 port accounts ca
  shift 4
  case "$target" in
    dovecot) port=$DOVECOT_IMAPS; accounts="$WORK/dovecot-accounts.tsv"; ca="$DOVECOT_DIR/cert.pem" ;;
    hato) port=$HATO_IMAPS; accounts="$WORK/hato-accounts.tsv"; ca="$HATO_DATA/tls/selfsigned-cert.pem" ;;
  esac
  java -cp "$BENCH_JAR" dev.hato.bench.load.ImapLoad --port "$port" --accounts "$accounts" --ca "$ca" \
    --clients "$clients" --seconds "$seconds" --warmup "$warmup" --label "$target" "$@"
}

# JIT warm-up of Hato (not recorded), and a short pass over Dovecot so both read their data once.
for target in $TARGETS; do
  seconds=10
  [[ "$target" == hato ]] && seconds=$JIT_WARMUP
  say "  warm-up: $seconds s against $target"
  load "$target" 10 "$seconds" 0 >>"$LOG" 2>&1 || { say "imap-load: the warm-up against $target failed (see $LOG)"; exit 1; }
done

for clients in $CLIENTS; do
  for target in $TARGETS; do
    case "$target" in
      dovecot) server="$DOVECOT_PID" ;;
      hato) server="$HATO_PID" ;;
    esac
    s0=$(ticks "$server")
    rows=$(load "$target" "$clients" "$DURATION" "$WARMUP" --csv 2>>"$LOG") \
      || { say "imap-load: ImapLoad against $target with $clients clients failed:"; echo "$rows" | tee -a "$LOG"; exit 1; }
    s1=$(ticks "$server")
    commands=$(echo "$rows" | awk -F, '$3 == "all" { print $4 }')
    # CPU over warm-up and measurement, divided by the commands of both (at the measured rate).
    cpu=$(per_unit $(( s1 - s0 )) "$(awk -v c="$commands" -v s="$DURATION" -v w="$WARMUP" 'BEGIN { printf "%d", c * (s + w) / s }')")
    echo "$rows" | awk -v cpu="$cpu" -v load="$(load1)" '{ print $0 "," cpu "," load }' | tee -a "$CSV" >>"$LOG"
    echo "$rows" | awk -F, -v cpu="$cpu" -v load="$(load1)" '
      $3 == "all" { printf "  %-8s %3d clients: %7.1f commands/s, %d errors; CPU per command: server %s ms, ImapLoad %s ms (load %s)\n", $1, $2, $5, $9, cpu, $10, load }
      $3 != "all" { printf "           %-14s n=%-6d p50 %7.2f ms  p99 %8.2f ms  max %8.2f ms\n", $3, $4, $6, $7, $8 }' | tee -a "$LOG"
  done
done

"$PYTHON" "$SCRIPTS/plot-imap-load.py" "$CSV" "$OUT/imap-load.png" | tee -a "$LOG"
say "imap-load: done $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg); $CSV, $OUT/imap-load.png"
