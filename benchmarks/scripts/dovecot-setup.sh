#!/usr/bin/env bash
# A throwaway Dovecot (the Debian package, apt-get install dovecot-imapd dovecot-lmtpd) in a directory of its own,
# the comparison IMAP server for imap-load.sh and the reference the IMAP acceptance checks were validated against:
# IMAPS on 127.0.0.1:$DOVECOT_IMAPS, IMAP with STARTTLS on $DOVECOT_IMAP, LMTP on $DOVECOT_LMTP, Maildir++ under
# DIR/home/<user>/Maildir with "/" as the hierarchy separator (as Hato), passwd-file users, a self-signed
# certificate in DIR/cert.pem. The system's /etc/dovecot is neither read nor changed; mail belongs to
# the local user $DOVECOT_MAIL_USER (created if missing: Dovecot refuses to keep mail as root).
#
#   benchmarks/scripts/dovecot-setup.sh DIR USER:PASSWORD...   # writes DIR, starts Dovecot, prints its master pid
#   doveadm -c DIR/dovecot.conf stop                           # stops it
#
# Environment: DOVECOT_IMAPS (10993), DOVECOT_IMAP (10143), DOVECOT_LMTP (10024), DOVECOT_MAIL_USER (hatobench),
# DOVECOT_PROCESS_LIMIT (imap processes, 1000), DOVECOT_CERT_NAME (the certificate's DNS name besides IP 127.0.0.1,
# localhost), DOVECOT_VERY_DIRTY_SYNCS (no; yes: maildir_very_dirty_syncs, Dovecot trusting that it alone changes
# the Maildirs, so that a delivery into a folder of 100,000 messages does not read the directory). Run as root.
set -euo pipefail
DIR="${1:?usage: dovecot-setup.sh DIR USER:PASSWORD...}"
shift
DOVECOT_IMAPS="${DOVECOT_IMAPS:-10993}"
DOVECOT_IMAP="${DOVECOT_IMAP:-10143}"
DOVECOT_LMTP="${DOVECOT_LMTP:-10024}"
DOVECOT_MAIL_USER="${DOVECOT_MAIL_USER:-hatobench}"
DOVECOT_PROCESS_LIMIT="${DOVECOT_PROCESS_LIMIT:-1000}"
DOVECOT_CERT_NAME="${DOVECOT_CERT_NAME:-localhost}"
DOVECOT_VERY_DIRTY_SYNCS="${DOVECOT_VERY_DIRTY_SYNCS:-no}"
command -v dovecot >/dev/null || { echo "dovecot-setup: apt-get install -y dovecot-imapd dovecot-lmtpd" >&2; exit 1; }
id "$DOVECOT_MAIL_USER" >/dev/null 2>&1 || useradd --create-home --shell /usr/sbin/nologin "$DOVECOT_MAIL_USER"
uid="$(id -u "$DOVECOT_MAIL_USER")"
gid="$(id -g "$DOVECOT_MAIL_USER")"

mkdir -p "$DIR/run" "$DIR/home"
DIR="$(cd "$DIR" && pwd)"
chmod 755 "$DIR"
chown "$uid:$gid" "$DIR/home"
[[ -f "$DIR/cert.pem" ]] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$DOVECOT_CERT_NAME" \
  -addext "subjectAltName=DNS:$DOVECOT_CERT_NAME,IP:127.0.0.1" -keyout "$DIR/key.pem" -out "$DIR/cert.pem" 2>/dev/null
: > "$DIR/passwd"
for entry in "$@"; do
  [[ "$entry" == *:* ]] || { echo "dovecot-setup: not USER:PASSWORD: $entry" >&2; exit 1; }
  echo "${entry%%:*}:{PLAIN}${entry#*:}" >> "$DIR/passwd"
done
chmod 640 "$DIR/passwd"
chgrp dovecot "$DIR/passwd"

cat > "$DIR/dovecot.conf" <<CONF
# Written by benchmarks/scripts/dovecot-setup.sh; throwaway.
base_dir = $DIR/run
instance_name = dovecot-$(basename "$DIR")
state_dir = $DIR/run/state
log_path = $DIR/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = required
ssl_cert = <$DIR/cert.pem
ssl_key = <$DIR/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login scram-sha-256
# Delivery to user@domain reaches the account "user" (the benchmarks log in without a domain).
auth_username_format = %Ln
mail_location = maildir:~/Maildir:LAYOUT=fs
mail_uid = $uid
mail_gid = $gid
first_valid_uid = $uid
last_valid_uid = $uid
mail_fsync = optimized
maildir_very_dirty_syncs = $DOVECOT_VERY_DIRTY_SYNCS
mailbox_list_index = yes
lmtp_save_to_detail_mailbox = no
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/passwd
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$DIR/home/%u
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
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
    port = $DOVECOT_IMAP
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DOVECOT_IMAPS
    ssl = yes
  }
  # Dovecot's high-performance login mode: long-lived login processes, one per CPU core, each handling many
  # connections (a login process keeps a session's TLS for its whole life and proxies it to the imap process).
  process_limit = $DOVECOT_PROCESS_LIMIT
  client_limit = 1000
  service_count = 0
  process_min_avail = $(nproc)
}
service imap {
  # Reuse imap processes (all users share one UID here, which is what allows it) and keep a few forked in
  # advance, instead of a fork and exec per login.
  process_limit = $DOVECOT_PROCESS_LIMIT
  service_count = 100
  process_min_avail = 4
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DOVECOT_LMTP
  }
  unix_listener lmtp {
    mode = 0600
  }
}
default_client_limit = 4000
default_vsz_limit = 1G
protocol imap {
  mail_max_userip_connections = 1000
  imap_idle_notify_interval = 2 mins
}
CONF

if [[ -f "$DIR/run/master.pid" ]] && kill -0 "$(cat "$DIR/run/master.pid")" 2>/dev/null; then
  doveadm -c "$DIR/dovecot.conf" reload
else
  dovecot -c "$DIR/dovecot.conf"
fi
for _ in $(seq 1 50); do
  [[ -f "$DIR/run/master.pid" ]] && break
  sleep 0.1
done
cat "$DIR/run/master.pid"
