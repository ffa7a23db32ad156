#!/usr/bin/env bash
# Differential IMAP conformance test: plays the client lines of the IMAP conversation scripts
# (gateway/src/test/resources/conversations/imap/*.conv) against the packaged Hato jar and against Dovecot 2.3
# (Debian's dovecot-imapd, /usr/sbin/dovecot), normalises both transcripts (scripts/imap_differential.py says how)
# and fails on every difference that scripts/imap-differential-allow.txt does not explain with its RFC reason.
# Both servers run on free ports of 127.0.0.1 with temporary directories; Dovecot with its own dovecot.conf, a
# passwd-file with the same two users as Hato (their auth IDs as user names), Maildir, a self-signed certificate.
#   usage: scripts/imap-differential.sh [path/to/hato-exec.jar] [script-name-substring]
#   IMAP_DIFFERENTIAL_SHOW=1 prints both transcripts of every script.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${1:-$root/gateway/target/hato-exec.jar}"
only="${2:-}"
dovecot="${DOVECOT:-/usr/sbin/dovecot}"
work="$(mktemp -d /tmp/hato-differential.XXXXXX)"
server_pid=""

cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then kill -9 "$server_pid" 2>/dev/null; fi
  if [[ -f "$work/dovecot/run/master.pid" ]]; then kill "$(cat "$work/dovecot/run/master.pid")" 2>/dev/null; fi
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

for tool in java python3 openssl "$dovecot"; do
  command -v "$tool" >/dev/null || { echo "imap-differential: $tool is not installed" >&2; exit 2; }
done
[[ -f "$jar" ]] || { echo "imap-differential: $jar not found; build with mvn -B -DskipTests package" >&2; exit 2; }

# --- Hato ---------------------------------------------------------------------------------------------------------
data="$work/hato"
# shellcheck source=start-hato.sh
source "$root/scripts/start-hato.sh"
if ! start_hato "$jar" "$data" "$work/hato.log" --hato.outbound.enabled=false; then
  echo "imap-differential: Hato did not start"; echo "imap-differential: 0 passed, 1 failed"; exit 1
fi
hato() { java -jar "$jar" "$@" --data-dir "$data"; }
hato domain add example.org >/dev/null || exit 1
# --- the scripts and their accounts: fresh users A and B per script (da001, db001, ...), as ConversationTest gives
# them; IMAP_DIFFERENTIAL_SERVE (below) makes 100 pairs for repeated runs by hand.
scripts=()
for script in "$root"/gateway/src/test/resources/conversations/imap/*.conv; do
  [[ "$(basename "$script")" == *"$only"* ]] && scripts+=("$script")
done
helper=(python3 "$root/scripts/imap_differential.py" --var DOMAIN=example.org --var HOST=localhost)
accounts=${#scripts[@]}
[[ -n "${IMAP_DIFFERENTIAL_SERVE:-}" ]] && accounts=100
{ echo "address,display_name,auth_id,password"; "${helper[@]}" --users "$accounts"; } >"$work/users.csv"
if ! hato user import "$work/users.csv" >"$work/import.log" 2>&1; then
  cat "$work/import.log"; echo "imap-differential: could not create the users"; exit 1
fi

# --- Dovecot ------------------------------------------------------------------------------------------------------
d="$work/dovecot"
mkdir -p "$d/run" "$d/state" "$d/home"
chmod 755 "$work" "$d"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/key.pem" -out "$d/cert.pem" -days 2 -subj /CN=localhost \
  >/dev/null 2>&1
read -r DIMAP DIMAPS < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
tail -n +2 "$work/users.csv" | awk -F, '{print $3 ":{PLAIN}" $4}' >"$d/passwd"
if [[ $(id -u) -eq 0 ]]; then
  # As root, Dovecot runs its login and internal processes as its own users; mail is accessed as nobody.
  mail_user="uid=nobody gid=$(id -gn nobody)"
  chown nobody "$d/home"
  users=""
else
  mail_user="uid=$(id -u) gid=$(id -g)"
  users="default_login_user = $(id -un)
default_internal_user = $(id -un)
default_internal_group = $(id -gn)"
fi
cat >"$d/dovecot.conf" <<EOF
# Written by scripts/imap-differential.sh: an unprivileged Dovecot on 127.0.0.1 for the differential test.
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = imap
listen = 127.0.0.1
$users
ssl = required
ssl_cert = <$d/cert.pem
ssl_key = <$d/key.pem
auth_mechanisms = plain login
# Failed logins answered at once (Dovecot waits 2 s by default), so the steps of the scripts do not time out.
auth_failure_delay = 0
mail_plugins = \$mail_plugins quota
protocol imap {
  mail_plugins = \$mail_plugins imap_quota
}
plugin {
  quota = count:User quota
  quota_vsizes = yes
}
passdb {
  driver = passwd-file
  args = $d/passwd
}
userdb {
  driver = static
  args = $mail_user home=$d/home/%u
}
mail_location = maildir:~/Maildir
# Hato's namespace: "/" as the hierarchy delimiter, and the special-use mailboxes it creates for a new account.
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DIMAP
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DIMAPS
    ssl = yes
  }
}
service anvil {
  chroot =
}
EOF
if ! "$dovecot" -c "$d/dovecot.conf"; then
  echo "imap-differential: Dovecot did not start"; cat "$d/dovecot.log" 2>/dev/null
  echo "imap-differential: 0 passed, 1 failed"; exit 1
fi
for _ in $(seq 1 30); do
  python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $DIMAPS), 1)" 2>/dev/null && break
  sleep 0.5
done

# --- play ----------------------------------------------------------------------------------------------------------
servers=(--left "hato=127.0.0.1:$IMAP:$IMAPS" --right "dovecot=127.0.0.1:$DIMAP:$DIMAPS")
if [[ -n "${IMAP_DIFFERENTIAL_SERVE:-}" ]]; then # development: keep both servers up, write what the helper needs
  echo "${servers[*]}" >"$IMAP_DIFFERENTIAL_SERVE"
  while [[ -f "$IMAP_DIFFERENTIAL_SERVE" ]]; do sleep 2; done
  stop_hato || true
  exit 0
fi
show=()
[[ -n "${IMAP_DIFFERENTIAL_SHOW:-}" ]] && show=(--show)
"${helper[@]}" "${servers[@]}" "${show[@]}" --allow "$root/scripts/imap-differential-allow.txt" "${scripts[@]}"
status=$?
if [[ -n "${IMAP_DIFFERENTIAL_LOGS:-}" ]]; then cp "$work/hato.log" "$d/dovecot.log" "$IMAP_DIFFERENTIAL_LOGS/"; fi
stop_hato || true
exit $status
