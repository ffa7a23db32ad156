#!/usr/bin/env bash
# Fan-out: one message to many local recipients, as a list post will be (issue 13, item 4). A fresh Hato with RCPTS
# accounts, then ROUNDS messages of SIZE octets, each to every account in one SMTP transaction, beside ROUNDS messages
# to one account. Reports the time from the end of DATA to the 250 (the commit of every copy), the CPU of the JVM and
# of PostgreSQL per message, and checks that each message's content was stored once (one blob, RCPTS message rows).
#
#   mvn -B -DskipTests package                       # gateway/target/hato-exec.jar; needs python3 and psql
#   benchmarks/scripts/fanout.sh [WORK_DIR]
#
# Knobs (environment): RCPTS (500), ROUNDS (5), SIZE (10240), PORT (2539), HATO_ROOT (the checkout, when running a
# copy of this script).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${HATO_ROOT:-$(cd "$HERE/../.." && pwd)}"
WORK="${1:-/tmp/hato-fanout}"
RCPTS="${RCPTS:-500}"; ROUNDS="${ROUNDS:-5}"; SIZE="${SIZE:-10240}"; PORT="${PORT:-2539}"
# shellcheck source=proc-cpu.sh
source "$HERE/proc-cpu.sh"
for tool in python3 psql java; do
  command -v "$tool" >/dev/null || { echo "fanout: $tool not found" >&2; exit 1; }
done
JAR="$ROOT/gateway/target/hato-exec.jar"
[[ -f "$JAR" ]] || { echo "fanout: $JAR missing: mvn -B -DskipTests package" >&2; exit 1; }
rm -rf "$WORK"; mkdir -p "$WORK"; D="$WORK/data"
DOMAIN=fan.bench.example
java -jar "$JAR" domain add "$DOMAIN" --data-dir "$D" >/dev/null 2>&1
{ echo "address,display_name,auth_id,password"
  for i in $(seq 1 "$RCPTS"); do echo "m$i@$DOMAIN,Member $i,,external"; done; } > "$WORK/members.csv"
java -jar "$JAR" user import "$WORK/members.csv" --data-dir "$D" > "$WORK/import.log" 2>&1
java -jar "$JAR" serve --data-dir "$D" --hato.ports.smtp="$PORT" --hato.ports.submissions=0 --hato.ports.submission=0 \
  --hato.ports.pop3=0 --hato.ports.pop3s=0 --hato.ports.imap=0 --hato.ports.imaps=0 --hato.ports.managesieve=0 --hato.ports.http=0 \
  --hato.ports.https=0 --hato.smtp.max-recipients="$RCPTS" > "$WORK/hato.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 120); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.5; done
PG="$(sed -n 1p "$D/postgres/postmaster.pid")"
PGPORT="$(sed -n 4p "$D/postgres/postmaster.pid")"
sql() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -Atq -c "$1"; }

# One SMTP transaction per message; prints the seconds from the end of DATA to the 250 of each.
send() {
  python3 - "$PORT" "$1" "$2" "$SIZE" "$DOMAIN" <<'PY'
import smtplib, sys, time
port, count, rounds, size, domain = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
line = "The quick brown fox jumps over the lazy dog; 会議は来週です.\r\n"
body = (line * (size // len(line.encode()) + 1))[:size]
with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
    smtp.ehlo("client.bench.example")
    for r in range(rounds):
        smtp.mail("list@client.bench.example", ["BODY=8BITMIME"])
        for i in range(1, count + 1):
            code, reply = smtp.rcpt(f"m{i}@{domain}")
            assert code == 250, (code, reply)
        code, reply = smtp.docmd("DATA")
        assert code == 354, (code, reply)
        message = f"From: list@client.bench.example\r\nSubject: post {r} {time.time_ns()}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
        smtp.send(message.encode().replace(b"\r\n.", b"\r\n..") + b"\r\n")
        start = time.monotonic()
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        assert code == 250, (code, reply)
        print(f"{time.monotonic() - start:.4f}")
PY
}
measure() {  # label, recipients
  local b0 m0 h0 p0 h1 p1 times
  b0=$(sql "SELECT count(*) FROM blob"); m0=$(sql "SELECT count(*) FROM message")
  h0=$(ticks "$PID"); p0=$(ticks "$PG")
  times=$(send "$2" "$ROUNDS")
  h1=$(ticks "$PID"); p1=$(ticks "$PG")
  local blobs=$(( $(sql "SELECT count(*) FROM blob") - b0 )) messages=$(( $(sql "SELECT count(*) FROM message") - m0 ))
  [[ "$blobs" == "$ROUNDS" && "$messages" == $(( ROUNDS * $2 )) ]] \
    || { echo "fanout: $1 stored $blobs blobs and $messages message rows, not $ROUNDS and $(( ROUNDS * $2 ))" >&2; exit 1; }
  echo "$times" | sort -n | awk -v label="$1" -v n="$ROUNDS" -v r="$2" -v h=$((h1 - h0)) -v p=$((p1 - p0)) \
    '{ t[NR] = $1 } END { printf "%s: %d recipients, DATA->250 median %.1f ms (min %.1f, max %.1f), JVM %.1f ms and PostgreSQL %.1f ms of CPU per message, %d blobs for %d messages\n", label, r, t[int((n + 1) / 2)] * 1000, t[1] * 1000, t[n] * 1000, h * 10 / n, p * 10 / n, n, n }'
}
send 1 20 > /dev/null       # warm-up
send "$RCPTS" 2 > /dev/null
measure "one recipient" 1
measure "fan-out" "$RCPTS"
measure "one recipient" 1
measure "fan-out" "$RCPTS"
