#!/usr/bin/env bash
# Configures the Debian Postfix package (apt-get install postfix) as the comparison MTA for smtp-load.sh:
# smtpd on 127.0.0.1:$POSTFIX_PORT, mail for postfix.bench.example delivered by local(8) to ~/Maildir/ of the
# local user $POSTFIX_USER. Idempotent; run as root. Nothing else on the machine is changed (port 25 is not used).
#   benchmarks/scripts/postfix-setup.sh            # then: postfix start (the load script does it)
set -euo pipefail
POSTFIX_PORT="${POSTFIX_PORT:-2526}"
POSTFIX_USER="${POSTFIX_USER:-hatobench}"
command -v postconf >/dev/null || { echo "postfix is not installed: DEBIAN_FRONTEND=noninteractive apt-get install -y postfix" >&2; exit 1; }
id "$POSTFIX_USER" >/dev/null 2>&1 || useradd --create-home --shell /usr/sbin/nologin "$POSTFIX_USER"

postconf -e \
  "compatibility_level = 3.6" \
  "myhostname = postfix.bench.example" \
  "mydomain = bench.example" \
  "myorigin = \$myhostname" \
  "mydestination = postfix.bench.example, localhost" \
  "inet_interfaces = loopback-only" \
  "inet_protocols = ipv4" \
  "mynetworks = 127.0.0.0/8" \
  "relayhost =" \
  "home_mailbox = Maildir/" \
  "mailbox_command =" \
  "alias_maps =" \
  "alias_database =" \
  "biff = no" \
  "smtpd_banner = \$myhostname ESMTP" \
  "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination" \
  "default_process_limit = 200" \
  "local_destination_concurrency_limit = 20" \
  "maillog_file = /var/log/postfix-bench.log" \
  "message_size_limit = 52428800"

# The smtpd service on 127.0.0.1:$POSTFIX_PORT instead of port 25, not chrooted (no init script here copies the
# files a chroot needs); postlog is needed for maillog_file without syslog.
postconf -M# smtp/inet >/dev/null 2>&1 || true
postconf -M# "127.0.0.1:*/inet" >/dev/null 2>&1 || true
postconf -Me "127.0.0.1:${POSTFIX_PORT}/inet=127.0.0.1:${POSTFIX_PORT} inet n - n - - smtpd"
postconf -M postlog/unix-dgram >/dev/null 2>&1 \
  || postconf -Me "postlog/unix-dgram=postlog unix-dgram n - n - 1 postlogd"
newaliases 2>/dev/null || true
postfix check
echo "postfix: smtpd on 127.0.0.1:${POSTFIX_PORT}, delivering to ~${POSTFIX_USER}/Maildir/ for <${POSTFIX_USER}@postfix.bench.example>"
