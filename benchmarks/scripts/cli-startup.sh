#!/usr/bin/env bash
# Start-up of the administrative commands (issue 19, item 2): wall time and CPU of `hato --version`, `domain list`,
# `user list`, `config show` and `log search --since 1h` against a running server, measured with hyperfine.
#
#   mvn -B -DskipTests package                     # gateway/target/hato-exec.jar; needs hyperfine (apt-get install hyperfine)
#   benchmarks/scripts/cli-startup.sh [WORK_DIR]   # default /tmp/hato-cli-startup; it is deleted first
#
# Each command runs as ./hato runs it (the extracted jar with its class-data-sharing archive, C1 only, serial GC;
# the first store command writes the archive and is a warm-up). With HATO_CLI=jar it runs `java -jar hato-exec.jar`
# instead, as before these changes (and as any script that calls the jar directly still does).
# Knobs (environment): RUNS (20), WARMUP (2), SETTLE (seconds the started server is left to finish its own start-up
# work, 20), HATO_CLI (launcher | jar), HATO_ROOT (the checkout, when running a copy of this script). Results: WORK_DIR/cli-startup.{md,json}.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${HATO_ROOT:-$(cd "$HERE/../.." && pwd)}"
WORK="${1:-/tmp/hato-cli-startup}"
RUNS="${RUNS:-20}"; WARMUP="${WARMUP:-2}"; SETTLE="${SETTLE:-20}"; MODE="${HATO_CLI:-launcher}"
command -v hyperfine >/dev/null || { echo "cli-startup: hyperfine not found (apt-get install hyperfine)" >&2; exit 1; }
JAR="$ROOT/gateway/target/hato-exec.jar"
[[ -f "$JAR" ]] || { echo "cli-startup: $JAR missing: mvn -B -DskipTests package" >&2; exit 1; }
rm -rf "$WORK"; mkdir -p "$WORK"; D="$WORK/data"
case "$MODE" in
  launcher) HATO="$ROOT/hato" ;;
  jar) HATO="java -jar $JAR" ;;
  *) echo "cli-startup: HATO_CLI must be launcher or jar" >&2; exit 1 ;;
esac

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
SMTP="$(free_port)"
# Every listener on a free port, so that this runs beside anything else on the machine.
java -jar "$JAR" serve --data-dir "$D" --hato.ports.smtp="$SMTP" --hato.ports.submissions=0 \
  --hato.ports.submission=0 --hato.ports.pop3=0 --hato.ports.pop3s=0 --hato.ports.imap=0 --hato.ports.imaps=0 --hato.ports.managesieve=0 \
  --hato.ports.http=0 --hato.ports.https=0 --hato.ports.management=0 > "$WORK/hato.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 240); do (exec 3<>"/dev/tcp/127.0.0.1/$SMTP") 2>/dev/null && break; sleep 0.5; done
(exec 3<>"/dev/tcp/127.0.0.1/$SMTP") 2>/dev/null || { echo "cli-startup: the server did not start" >&2; exit 1; }

# A few rows to list (and the launcher's first store command, which writes the class-data-sharing archive).
$HATO domain add bench.example --data-dir "$D" >/dev/null
for i in 1 2 3 4 5; do
  echo "password-$i-secret" | $HATO user add "p$i@bench.example" --password-stdin --data-dir "$D" >/dev/null
done
sleep "$SETTLE"

cd "$WORK"
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-markdown "$WORK/cli-startup.md" \
  --export-json "$WORK/cli-startup.json" \
  -n "hato --version" "$HATO --version" \
  -n "hato domain list" "$HATO domain list --data-dir $D" \
  -n "hato user list" "$HATO user list --data-dir $D" \
  -n "hato config show" "$HATO config show --data-dir $D" \
  -n "hato log search --since 1h" "$HATO log search --since 1h --data-dir $D"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; mode $MODE; commit $(git -C "$ROOT" rev-parse --short HEAD)"
