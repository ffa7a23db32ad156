# Sourced by the scripts that test a packaged Hato (acceptance.sh, security-probes.sh): start_hato JAR DATA LOG
# [--hato.setting=value ...] starts it on free ports of 127.0.0.1 with the data directory DATA, sets SMTP SUBS SUB
# POP3 POP3S HTTP IMAP IMAPS MANAGEMENT HTTPS MANAGESIEVE and server_pid, and waits until it is serving (at most three minutes). Host name
# "localhost": the self-signed certificate is made for it, and clients that check the name connect to it.
# Returns 1, with the server's log on standard output, if it did not start. HATO_JAVA_OPTIONS, when set, goes to the
# JVM (security-probes.sh gives the heap a fixed size with it).
start_hato() {
  local jar="$1" data="$2" log="$3"
  shift 3
  read -r SMTP SUBS SUB POP3 POP3S HTTP IMAP IMAPS MANAGEMENT HTTPS MANAGESIEVE < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(11)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
PY
)
  # shellcheck disable=SC2086
  java ${HATO_JAVA_OPTIONS:-} -jar "$jar" serve --data-dir "$data" --hato.host-name=localhost \
    --hato.ports.smtp="$SMTP" --hato.ports.submissions="$SUBS" --hato.ports.submission="$SUB" \
    --hato.ports.pop3="$POP3" --hato.ports.pop3s="$POP3S" --hato.ports.http="$HTTP" \
    --hato.ports.imap="$IMAP" --hato.ports.imaps="$IMAPS" \
    --hato.ports.management="$MANAGEMENT" --hato.ports.https="$HTTPS" --hato.ports.managesieve="$MANAGESIEVE" "$@" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 180); do
    grep -q "Stop with Ctrl-C" "$log" && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 1
  done
  cat "$log"
  return 1
}

# stop_hato: SIGTERM, then up to a minute for a clean stop; returns 1 if it is still running.
stop_hato() {
  kill -TERM "$server_pid" 2>/dev/null
  for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$server_pid" 2>/dev/null; then return 1; fi
  wait "$server_pid" 2>/dev/null
  server_pid=""
}
