#!/usr/bin/env bash
# What Dovecot Pigeonhole's sieve-test (Debian 12: dovecot-sieve 2.3.19.1, Pigeonhole 0.5.19) does with a script and
# a message, for conformance by difference (ADR 0011). Prints the actions to stdout; nothing is stored or sent
# (no -e), so no mailbox needs to exist.
#
#   apt-get install -y dovecot-sieve
#   benchmarks/scripts/sieve-reference.sh SCRIPT.sieve MESSAGE.eml [ENVELOPE_FROM [ENVELOPE_TO]]
#
# Exit status: 0 success; 1 the script failed at run time (stderr: "final result: failed; resolved with successful
# implicit keep", stdout empty); 89 the script did not compile (errors on stderr, "line N: error: ...").
# stdout on success:
#
#   Performed actions:
#
#    * store message in folder: Meetings
#           + add IMAP flags: \flagged
#    * redirect message to: <archive@example.org>
#
#   Implicit keep:
#
#     (none)                                   (or " * store message in folder: INBOX")
#
# sieve-test refuses to run as root (mail_uid); as root it is run as nobody, with HOME and a minimal configuration in
# a scratch directory. Extensions beyond Pigeonhole's defaults: vacation-seconds (and no minimum vacation period);
# Pigeonhole 0.5.19 does not implement ereject at all ("unknown Sieve capability"), so ereject has no oracle here.
set -euo pipefail
script=$(realpath "$1")
message=$(realpath "$2")
from=${3:-sender@example.org}
to=${4:-user@example.org}
work=$(mktemp -d /tmp/sieve-reference.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat > "$work/dovecot.conf" <<EOF
mail_location = maildir:$work/Maildir
plugin {
  sieve_extensions = +vacation-seconds +editheader
  sieve_vacation_min_period = 0
}
EOF
cp "$script" "$work/script.sieve"
cp "$message" "$work/message.eml"
chmod 755 "$work"
chmod 644 "$work"/*
run=()
if [ "$(id -u)" = 0 ]; then
  chmod 777 "$work"
  run=(runuser -u nobody --)
fi
# -t - -T level=matching adds a trace of every test and match to stdout, for reading differences.
"${run[@]}" env HOME="$work" sieve-test -c "$work/dovecot.conf" -f "$from" -r "$to" -a "$to" \
  "$work/script.sieve" "$work/message.eml"
