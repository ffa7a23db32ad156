# Sourced by the load scripts: a Hato server started in the background, waited for, and stopped on exit.
# The script sets HATO_PID after starting "java -jar ... serve > LOGFILE &" and calls
#   hato_wait NAME LOGFILE      (exits the script when Hato stops or is not up within 120 s)
# and "trap hato_stop EXIT" stops it (SIGTERM: Hato drains its batcher and stops its PostgreSQL).
HATO_PID=""

hato_stop() {
  if [[ -n "$HATO_PID" ]]; then
    kill "$HATO_PID" 2>/dev/null || true
    wait "$HATO_PID" 2>/dev/null || true
  fi
}

hato_wait() {
  local name="$1" log="$2"
  for _ in $(seq 1 240); do
    grep -q "Stop with Ctrl-C" "$log" && return 0
    kill -0 "$HATO_PID" 2>/dev/null || { echo "$name: Hato did not start, see $log" >&2; exit 1; }
    sleep 0.5
  done
  echo "$name: Hato not up after 120 s, see $log" >&2
  exit 1
}
