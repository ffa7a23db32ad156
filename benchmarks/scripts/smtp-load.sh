#!/usr/bin/env bash
# SMTP delivery side by side, in one run: Postfix's smtp-source loads smtp-sink (the protocol alone, stores
# nothing: the upper bound), Postfix (Debian package, local(8) delivery to Maildir) and Hato (committed in its
# embedded PostgreSQL), for every message size x concurrency; then PostgreSQL's own batched durable insert rate of
# the same bytes (pgbench on Hato's embedded server), and DATA-to-250 latency at 10 KiB x 20 (SmtpLatency, since
# smtp-source reports none). Writes a CSV and a PNG; docs/benchmarks.md explains the figures.
#
#   mvn -B -DskipTests package                       # gateway/target/hato-exec.jar, benchmarks/target/benchmarks.jar
#   DEBIAN_FRONTEND=noninteractive apt-get install -y postfix python3-matplotlib
#   benchmarks/scripts/smtp-load.sh [WORK_DIR]      # as root (configures and starts Postfix); ~10 minutes
#
# Knobs (environment): SIZES ("1024 10240 102400", smtp-source -l), SESSIONS ("1 20 100", smtp-source -s),
# MESSAGES (2000 per target and cell; a quarter of it with one session), WARMUP (20000 messages to Hato first), CELL_TIMEOUT (180 s per target and cell),
# PG_SECONDS (10 s of pgbench per size), PG_ROWS (64 rows per insert transaction, Hato's batch size),
# PG_CLIENTS (2), PYTHON (/usr/bin/python3), HATO_ROOT (the checkout, when running a copy of this script: bash
# reads a script while it runs, so do not edit the one being run), PROFILE=1 (a JFR recording of Hato during the 10 KiB x 20 cell), OUT (docs/img).
# Every target counts what is durable, not what was accepted: Hato's rows in PostgreSQL (a 250 is sent only after
# the commit; the count is checked), Postfix's files in Maildir/new (the time runs until the last one appears).
set -euo pipefail

ROOT="${HATO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"  # HATO_ROOT: when run from a copy
WORK="${1:-/tmp/hato-smtp-load}"
SIZES="${SIZES:-1024 10240 102400}"
SESSIONS="${SESSIONS:-1 20 100}"
MESSAGES="${MESSAGES:-2000}"
WARMUP="${WARMUP:-20000}"
CELL_TIMEOUT="${CELL_TIMEOUT:-180}"
PG_SECONDS="${PG_SECONDS:-10}"
PG_ROWS="${PG_ROWS:-64}"
PG_CLIENTS="${PG_CLIENTS:-2}"
PROFILE="${PROFILE:-0}"
OUT="${OUT:-$ROOT/docs/img}"
SINK_PORT="${SINK_PORT:-2528}"
POSTFIX_PORT="${POSTFIX_PORT:-2526}"
HATO_PORT="${HATO_PORT:-2527}"
POSTFIX_USER="${POSTFIX_USER:-hatobench}"
HATO_JAR="$ROOT/gateway/target/hato-exec.jar"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
HATO_TO="load@hato.bench.example"
POSTFIX_TO="$POSTFIX_USER@postfix.bench.example"
FROM="sender@client.bench.example"

PYTHON="${PYTHON:-/usr/bin/python3}"  # Debian's, with python3-matplotlib
for tool in smtp-source smtp-sink postfix psql pgbench java "$PYTHON"; do
  command -v "$tool" >/dev/null || { echo "smtp-load: $tool not found (see the header of this script)" >&2; exit 1; }
done
for jar in "$HATO_JAR" "$BENCH_JAR"; do
  [[ -f "$jar" ]] || { echo "smtp-load: $jar missing: mvn -B -DskipTests package" >&2; exit 1; }
done
for n in $SIZES $SESSIONS $MESSAGES $CELL_TIMEOUT $PG_SECONDS $PG_ROWS $PG_CLIENTS; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "smtp-load: not a positive number: $n" >&2; exit 1; }
done

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
CSV="$OUT/smtp-load.csv"
LATENCY_CSV="$OUT/smtp-latency.csv"
LOG="$WORK/run.log"
echo "target,size,sessions,messages,seconds,msg_per_s,load1,server_cpu_ms_per_msg,db_cpu_ms_per_msg,client_cpu_ms_per_msg" > "$CSV"
echo "target,size,sessions,messages,msg_per_s,end_p50_ms,end_p99_ms,end_max_ms,data_p50_ms,data_p99_ms,data_max_ms" \
  > "$LATENCY_CSV"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s }'; }
load1() { cut -d' ' -f1 /proc/loadavg; }
say() { echo "$*" | tee -a "$LOG"; }
# shellcheck source=proc-cpu.sh
source "$ROOT/benchmarks/scripts/proc-cpu.sh"  # descendants, ticks: CPU of a server's process tree
# CPU of this shell's finished children (smtp-source) into CLIENT_TICKS; "times" must run in this shell, never in
# a $(...) subshell, whose children are not the smtp-source runs.
client_ticks() {
  times > "$WORK/times"
  CLIENT_TICKS=$(tail -1 "$WORK/times" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 100 }')
}
per_message() { per_unit "$1" "$2"; }

SINK_PID=""
HATO_PID=""
STARTED_POSTFIX=0
cleanup() {
  [[ -n "$SINK_PID" ]] && kill "$SINK_PID" 2>/dev/null || true
  if [[ -n "$HATO_PID" ]]; then
    kill "$HATO_PID" 2>/dev/null || true  # SIGTERM: Hato drains its batcher and stops its PostgreSQL
    wait "$HATO_PID" 2>/dev/null || true
  fi
  [[ "$STARTED_POSTFIX" == 1 ]] && postfix stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

say "smtp-load: $(date -u +%FT%TZ) on $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "  sizes [$SIZES] x sessions [$SESSIONS], $MESSAGES messages per cell ($((MESSAGES / 4)) with one session)"

# --- Postfix -------------------------------------------------------------------------------------------------------
POSTFIX_PORT="$POSTFIX_PORT" POSTFIX_USER="$POSTFIX_USER" "$ROOT/benchmarks/scripts/postfix-setup.sh" >>"$LOG"
if postfix status >/dev/null 2>&1; then postfix reload >/dev/null 2>&1; else postfix start >/dev/null 2>&1; STARTED_POSTFIX=1; fi
MAILDIR="$(getent passwd "$POSTFIX_USER" | cut -d: -f6)/Maildir"
postsuper -d ALL >/dev/null 2>&1 || true
rm -rf "$MAILDIR"

# --- smtp-sink -----------------------------------------------------------------------------------------------------
smtp-sink -u nobody "127.0.0.1:$SINK_PORT" 1024 >>"$WORK/smtp-sink.log" 2>&1 &
SINK_PID=$!

# --- Hato ----------------------------------------------------------------------------------------------------------
HATO_DATA="$WORK/hato-data"
java -jar "$HATO_JAR" domain add hato.bench.example --data-dir "$HATO_DATA" >>"$LOG" 2>&1
java -jar "$HATO_JAR" user add "$HATO_TO" --data-dir "$HATO_DATA" >>"$LOG" 2>&1
# The other listeners on free ports; 100 sessions from one address need more than the default per-address limit.
# shellcheck disable=SC2086
java ${HATO_JAVA_OPTS:-} -jar "$HATO_JAR" serve --data-dir "$HATO_DATA" --hato.ports.smtp="$HATO_PORT" \
  --hato.ports.submissions=0 --hato.ports.submission=0 --hato.ports.pop3=0 --hato.ports.pop3s=0 --hato.ports.managesieve=0 \
  --hato.ports.http=0 --hato.ports.https=0 --hato.max-connections-per-address=1000 > "$WORK/hato.log" 2>&1 &
HATO_PID=$!
for _ in $(seq 1 240); do
  grep -q "Stop with Ctrl-C" "$WORK/hato.log" && break
  kill -0 "$HATO_PID" 2>/dev/null || { echo "smtp-load: Hato did not start, see $WORK/hato.log" >&2; exit 1; }
  sleep 0.5
done
grep -q "Stop with Ctrl-C" "$WORK/hato.log" || { echo "smtp-load: Hato not up after 120 s" >&2; exit 1; }
PGPORT="$(sed -n 4p "$HATO_DATA/postgres/postmaster.pid")"
PG_PID="$(sed -n 1p "$HATO_DATA/postgres/postmaster.pid")"
sql() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -Atq -v ON_ERROR_STOP=1 -c "$1"; }
stored() { sql "SELECT count(*) FROM message"; }

# Warm-up, not recorded: the JIT compiles Hato's hot path; Postfix starts its smtpd and local processes.
# A profile after only 500 messages still showed the C2 compiler busy, and 1,000 per size still left Hato at a
# quarter of its steady rate (JIT compilation showed as 4 ms of CPU per message): WARMUP messages first, then
# every size.
smtp-source -s 20 -m "$WARMUP" -l 10240 -f "$FROM" -t "$HATO_TO" -M client.bench.example "127.0.0.1:$HATO_PORT"
for size in $SIZES; do
  smtp-source -s 20 -m 1000 -l "$size" -f "$FROM" -t "$HATO_TO" -M client.bench.example "127.0.0.1:$HATO_PORT"
done
smtp-source -s 20 -m 200 -l 10240 -f "$FROM" -t "$POSTFIX_TO" -M client.bench.example "127.0.0.1:$POSTFIX_PORT"
sleep 3

maildir_count() { find "$MAILDIR/new" -maxdepth 1 -type f 2>/dev/null | wc -l; }

# One cell: smtp-source against a target; prints the CSV row. Fails the run if fewer messages became durable.
cell() {
  local target=$1 size=$2 sessions=$3 messages=$4 port to before after t0 t1 seconds server db c0 c1 s0 s1 d0=0 d1=0
  case "$target" in
    smtp-sink) port=$SINK_PORT; to="x@sink.bench.example" ;;
    postfix) port=$POSTFIX_PORT; to=$POSTFIX_TO; rm -rf "$MAILDIR/new"; mkdir -p "$MAILDIR/new"
             chown -R "$POSTFIX_USER" "$MAILDIR"; before=0 ;;
    hato) port=$HATO_PORT; to=$HATO_TO; before=$(stored) ;;
  esac
  [[ "$target" == hato && "$PROFILE" == 1 && "$size" == 10240 && "$sessions" == 20 ]] \
    && jcmd "$HATO_PID" JFR.start name=load settings=profile filename="$WORK/hato-10k-20.jfr" >>"$LOG"
  case "$target" in
    smtp-sink) server="$SINK_PID" ;;
    postfix) server="$(sed -n 1p /var/spool/postfix/pid/master.pid | tr -d ' ')" ;;
    hato) server="$HATO_PID"; d0=$(ticks "$PG_PID") ;;
  esac
  s0=$(ticks "$server"); client_ticks; c0=$CLIENT_TICKS
  t0=$(now)
  timeout "$CELL_TIMEOUT" smtp-source -s "$sessions" -m "$messages" -l "$size" -f "$FROM" -t "$to" \
    -M client.bench.example "127.0.0.1:$port" 2>>"$WORK/smtp-source.err" \
    || { say "smtp-load: smtp-source against $target failed or timed out ($size x $sessions)"; exit 1; }
  client_ticks; c1=$CLIENT_TICKS  # before the Maildir polling below, whose commands are children too
  case "$target" in
    postfix)
      # Accepted is not delivered: wait until local(8) has put every message into Maildir/new.
      local deadline; deadline=$(awk -v t="$t0" -v d="$CELL_TIMEOUT" 'BEGIN { printf "%d", t + d }')
      while (( $(maildir_count) < messages )); do
        (( $(date +%s) < deadline )) || { say "smtp-load: Postfix delivered $(maildir_count) of $messages"; exit 1; }
        sleep 0.05
      done ;;
  esac
  t1=$(now)
  s1=$(ticks "$server")
  [[ "$target" == hato ]] && d1=$(ticks "$PG_PID")
  [[ "$target" == hato && "$PROFILE" == 1 && "$size" == 10240 && "$sessions" == 20 ]] \
    && jcmd "$HATO_PID" JFR.stop name=load >>"$LOG"
  if [[ "$target" == hato ]]; then
    after=$(stored)
    (( after - before == messages )) || { say "smtp-load: Hato stored $((after - before)) of $messages"; exit 1; }
  fi
  seconds=$(elapsed "$t0" "$t1")
  local cpu_server cpu_db="" cpu_client
  cpu_server=$(per_message $(( s1 - s0 + d1 - d0 )) "$messages")
  [[ "$target" == hato ]] && cpu_db=$(per_message $(( d1 - d0 )) "$messages")
  cpu_client=$(per_message $(( c1 - c0 )) "$messages")
  echo "$target,$size,$sessions,$messages,$seconds,$(rate "$messages" "$seconds"),$(load1),$cpu_server,$cpu_db,$cpu_client" \
    | tee -a "$CSV" "$LOG" >/dev/null
  printf '  %-9s %6d octets x %3d sessions: %5d messages in %7.2f s = %7.1f msg/s (load %s); CPU ms/msg: server %s%s, smtp-source %s\n' \
    "$target" "$size" "$sessions" "$messages" "$seconds" "$(rate "$messages" "$seconds")" "$(load1)" "$cpu_server" \
    "${cpu_db:+ (of which PostgreSQL $cpu_db)}" "$cpu_client" | tee -a "$LOG"
}

for size in $SIZES; do
  for sessions in $SESSIONS; do
    messages=$MESSAGES
    (( sessions == 1 )) && messages=$(( MESSAGES / 4 > 0 ? MESSAGES / 4 : 1 ))
    for target in smtp-sink hato postfix; do
      cell "$target" "$size" "$sessions" "$messages"
    done
  done
done

# --- DATA-to-250 latency at 10 KiB x 20, each target ---------------------------------------------------------------
for target in smtp-sink hato postfix; do
  case "$target" in
    smtp-sink) port=$SINK_PORT; to="x@sink.bench.example" ;;
    postfix) port=$POSTFIX_PORT; to=$POSTFIX_TO ;;
    hato) port=$HATO_PORT; to=$HATO_TO ;;
  esac
  row=$(java -cp "$BENCH_JAR" dev.hato.bench.load.SmtpLatency --port "$port" --sessions 20 --messages "$MESSAGES" \
        --size 10240 --to "$to" --csv)
  echo "$target,$row" >> "$LATENCY_CSV"
  say "  latency $target (size,sessions,messages,msg/s,end p50/p99/max ms,DATA p50/p99/max ms): $row"
done

# --- PostgreSQL's own batched durable insert rate of the same bytes ------------------------------------------------
# The payload of each size is a message Hato stored in this run (headers included), kept uncompressed in
# bench_payload (STORAGE EXTERNAL) so that every insert compresses and TOASTs it afresh, as Hato's COPY does.
sql "DROP TABLE IF EXISTS bench_insert, bench_payload;
     CREATE TABLE bench_payload (size int PRIMARY KEY, body bytea NOT NULL);
     ALTER TABLE bench_payload ALTER body SET STORAGE EXTERNAL;
     CREATE TABLE bench_insert (id bigserial PRIMARY KEY, body bytea NOT NULL);"
cat > "$WORK/insert.sql" <<SQL
INSERT INTO bench_insert (body) SELECT p.body FROM bench_payload p, generate_series(1, $PG_ROWS) WHERE p.size = :size;
SQL
for size in $SIZES; do
  sql "INSERT INTO bench_payload SELECT $size, c.data FROM blob b JOIN blob_chunk c ON c.blob_id = b.id AND c.seq = 0
       WHERE b.size BETWEEN $size AND $size + 4096 ORDER BY b.id DESC LIMIT 1"
  sql "TRUNCATE bench_insert"
  bytes=$(sql "SELECT length(body) FROM bench_payload WHERE size = $size")
  tps=$(PGOPTIONS="-c synchronous_commit=on" pgbench -h 127.0.0.1 -p "$PGPORT" -U postgres -n -f "$WORK/insert.sql" \
        -D size="$size" -c "$PG_CLIENTS" -j "$PG_CLIENTS" -T "$PG_SECONDS" postgres 2>>"$LOG" \
        | awk '/^tps = / { print $3 }')
  rows=$(awk -v t="$tps" -v r="$PG_ROWS" 'BEGIN { printf "%.1f", t * r }')
  echo "postgresql,$size,$PG_CLIENTS,$(awk -v t="$tps" -v r="$PG_ROWS" -v s="$PG_SECONDS" 'BEGIN { printf "%d", t * r * s }'),$PG_SECONDS,$rows,$(load1),,," >> "$CSV"
  say "  postgresql $size octets (rows of $bytes octets, $PG_ROWS per transaction, $PG_CLIENTS clients): $rows rows/s ($tps commits/s)"
done
sql "DROP TABLE bench_insert, bench_payload"

"$PYTHON" "$ROOT/benchmarks/scripts/plot-smtp-load.py" "$CSV" "$OUT/smtp-load.png" | tee -a "$LOG"
say "smtp-load: done $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg); $CSV, $LATENCY_CSV, $OUT/smtp-load.png"
