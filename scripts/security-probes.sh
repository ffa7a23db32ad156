#!/usr/bin/env bash
# Starts a fresh Hato from the packaged jar (free ports on 127.0.0.1, a temporary data directory, outbound delivery
# off), makes a domain and two accounts, and replays the hostile-input probes of docs/security.md against it with
# scripts/security-probes.py. The login deadline, port 25's session time and the HTTP idle timeout are shortened so
# that the slow-client probes end within the run; every other setting is Hato's default, which is what the probes
# check. The heap is fixed at 1 GB (-Xmx1g) and the server's resident memory may not exceed 3 GB at any time during
# the run (heap, direct buffers, metaspace, threads).
#   usage: scripts/security-probes.sh [path/to/hato-exec.jar] [--only TEXT]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${1:-$root/gateway/target/hato-exec.jar}"
shift || true
work="$(mktemp -d /tmp/hato-probes.XXXXXX)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then kill -9 "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

for tool in java python3; do
  command -v "$tool" >/dev/null || { echo "security-probes: $tool is not installed" >&2; exit 2; }
done
[[ -f "$jar" ]] || { echo "security-probes: $jar not found; build with mvn -B -DskipTests package" >&2; exit 2; }

login_deadline=5
session_time=60  # port 25: longer than the recipient-harvesting probe's session (about 13 s)
# The harvesting delays are a tenth of the defaults (100 ms more per unknown recipient, at most 1 s): the probe
# checks the 421 and the close after 20 unknown recipients, in about 13 s instead of two minutes; the delays
# themselves are tested at their defaults in RecipientHarvestingTest and UnknownRecipientsTest.
http_idle=10
heap_mb=1024
export HATO_JAVA_OPTIONS="-Xmx${heap_mb}m"
data="$work/data"
# shellcheck source=start-hato.sh
source "$root/scripts/start-hato.sh"
if ! start_hato "$jar" "$data" "$work/server.log" --hato.outbound.enabled=false \
    --hato.login-deadline="${login_deadline}s" --hato.smtp.max-session-time="${session_time}s" \
    --hato.http.idle-timeout="${http_idle}s" \
    --hato.smtp.unknown-recipients.delay=100ms --hato.smtp.unknown-recipients.max-delay=1s; then
  echo "security-probes: the server did not start"; echo "security-probes: 0 passed, 1 failed"; exit 1
fi
hato() { java -jar "$jar" "$@" --data-dir "$data"; }
hato domain add probe.example >/dev/null
user="$(echo 'probe-secret-1' | hato user add mallory@probe.example --password-stdin)"
other="$(echo 'probe-secret-2' | hato user add victim@probe.example --password-stdin)"
timing1="$(echo 'probe-secret-3' | hato user add timing1@probe.example --password-stdin)"
timing2="$(echo 'probe-secret-4' | hato user add timing2@probe.example --password-stdin)"

python3 "$root/scripts/security-probes.py" --smtp "$SMTP" --submissions "$SUBS" --imaps "$IMAPS" \
  --pop3s "$POP3S" --http "$HTTP" --submission "$SUB" --imap "$IMAP" --pop3 "$POP3" --https "$HTTPS" \
  --management "$MANAGEMENT" --domain probe.example --user "$user" --password probe-secret-1 \
  --address mallory@probe.example --other-address victim@probe.example --other-user "$other" \
  --other-password probe-secret-2 --timing-users "$timing1,$timing2" --data-dir "$data" \
  --login-deadline "$login_deadline" --smtp-session-time "$session_time" --http-idle-timeout "$http_idle" \
  --pid "$server_pid" --max-rss-mb $((heap_mb * 3)) "$@"
status=$?
if ! stop_hato; then
  echo "security-probes: the server did not stop on SIGTERM"; status=1
fi
exit $status
