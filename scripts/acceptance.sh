#!/usr/bin/env bash
# Acceptance test with real clients against the packaged jar: the README's newcomer scenario (CLI, swaks, curl)
# plus Python's smtplib and poplib over STARTTLS/STLS, and the IMAP checks of acceptance-imap.sh (curl, imaplib,
# mbsync). Everything runs on 127.0.0.1 with free ports and a
# temporary data directory; the server is stopped with SIGTERM at the end and must shut down cleanly.
#   usage: scripts/acceptance.sh [path/to/hato-exec.jar]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${1:-$root/gateway/target/hato-exec.jar}"
work="$(mktemp -d /tmp/hato-acceptance.XXXXXX)"
passed=0
failed=0
server_pid=""

cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then kill -9 "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

check() { # check NAME COMMAND...
  local name="$1"; shift
  if "$@" >"$work/check.out" 2>&1; then
    passed=$((passed + 1)); echo "ok   - $name"
  else
    failed=$((failed + 1)); echo "FAIL - $name"; sed 's/^/       /' "$work/check.out" | tail -20
  fi
}

for tool in java swaks curl python3; do
  command -v "$tool" >/dev/null || { echo "acceptance: $tool is not installed" >&2; exit 2; }
done
[[ -f "$jar" ]] || { echo "acceptance: $jar not found; build with mvn -B -DskipTests install" >&2; exit 2; }

data="$work/data"
# shellcheck source=start-hato.sh
source "$root/scripts/start-hato.sh"
if ! start_hato "$jar" "$data" "$work/server.log" --hato.outbound.enabled=false; then
  echo "acceptance: the server did not start"; echo "0 passed, 1 failed"; exit 1
fi
check "start-up banner lists the POP3S port" grep -q "pop3s .*127.0.0.1:$POP3S" "$work/server.log"

# The commands run as ./hato and an installation run them: from an extracted copy of the jar through deploy/hato-cli
# (a JDK 25 or later when the machine has one, with the class cache that the first store command writes).
java -Djarmode=tools -jar "$jar" extract --destination "$work/cli" >/dev/null
hato() { "$root/deploy/hato-cli" "$work/cli/hato-exec.jar" "$work/cli" "$@" --data-dir "$data"; }
check "hato domain add while the server runs" hato domain add example.org
A="$(echo 'alice-secret-1' | hato user add alice@example.org --password-stdin)"
B="$(echo 'bob-secret-22' | hato user add bob@example.org --password-stdin)"
check "hato user add prints auth IDs in the seed's style" bash -c "[[ '$A' =~ ^alice-[a-z2-9]{4}\$ && '$B' =~ ^bob-[a-z2-9]{4}\$ ]]"
cli_cache() { # the first store command left one class cache for this jar, and the next command uses it
  find "$work/cli" -maxdepth 1 -name 'hato-cli-*' \( -name '*.aot' -o -name '*.jsa' \) | tee /dev/stderr \
    | wc -l | grep -qx 1 && [[ "$(hato domain list --json)" == '[{"name":"example.org"}]' ]]
}
check "the first hato command wrote a class cache that the next ones start with" cli_cache
cli_on_default_jvm() { # the same commands on the default java (the JDK 17 archive when it is a JDK 17)
  HATO_CLI_JAVA=java hato domain list >/dev/null && HATO_CLI_JAVA=java hato user list | grep -q "^$A" \
    && HATO_CLI_JAVA=java hato user list --json | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 2'
}
check "hato commands run on the default java too (its own class cache)" cli_on_default_jvm

check "swaks submits over implicit TLS with AUTH PLAIN" \
  swaks --server "127.0.0.1:$SUBS" --tls-on-connect --auth PLAIN --auth-user "$A" --auth-password alice-secret-1 \
    --from alice@example.org --to bob@example.org --header 'Subject: acceptance one' --body 'hello bob' --silent 2
check "curl reads it over POP3S" bash -c \
  "curl -sSk --user '$B:bob-secret-22' pop3s://127.0.0.1:$POP3S/1 | tee /dev/stderr | grep -q 'Subject: acceptance one'"
check "swaks submits with STARTTLS and AUTH LOGIN on the submission port" \
  swaks --server "127.0.0.1:$SUB" --tls --auth LOGIN --auth-user "$A" --auth-password alice-secret-1 \
    --from alice@example.org --to bob@example.org --header 'Subject: acceptance two' --silent 2
check "swaks delivers to the MTA port without AUTH" \
  swaks --server "127.0.0.1:$SMTP" --from someone@remote.example --to BOB@example.org \
    --header 'Subject: acceptance three' --silent 2
refused_at_rcpt() { # the reply to RCPT TO (the line after swaks sends it) is a 5xx, not any failure
  local transcript
  transcript="$(swaks --server "127.0.0.1:$SMTP" --from a@remote.example --to b@elsewhere.example \
    --quit-after RCPT 2>&1)"
  echo "$transcript"
  awk '/^ *-> RCPT TO:/ {rcpt = 1; next} rcpt {print; exit}' <<<"$transcript" | grep -Eq '^ *<\*\* +5[0-9][0-9] '
}
check "swaks is refused relaying through the MTA port with a 5xx at RCPT" refused_at_rcpt
check "SMTP AUTH with the address instead of the auth ID is refused with a hint" bash -c \
  "swaks --server 127.0.0.1:$SUBS --tls-on-connect --auth PLAIN --auth-user bob@example.org \
     --auth-password bob-secret-22 --quit-after AUTH 2>&1 | tee /dev/stderr | grep -Eq '^ *<(~\*|\*\*) +535 .*auth ID'"
check "POP3 login with the address instead of the auth ID is refused with a hint" python3 - "$POP3S" <<'PY'
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=15)
p.user("bob@example.org")
try:
    p.pass_("bob-secret-22")
    raise SystemExit("PASS with the address was accepted")
except poplib.error_proto as e:
    text = str(e)
    print(text)
    assert text.startswith("b'-ERR") and "auth ID" in text, text
PY
check "python poplib over STLS sees three messages and deletes one" python3 - "$POP3" "$B" <<'PY'
import poplib, ssl, sys
port, user = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3("127.0.0.1", port, timeout=15)
caps = p.capa()
assert "STLS" in caps and "USER" not in caps, caps
p.stls(ctx)
assert "USER" in p.capa()
p.user(user); p.pass_("bob-secret-22")
count, size = p.stat()
assert count == 3, (count, size)
subjects = [l for l in p.retr(3)[1] if l.startswith(b"Subject:")]
assert subjects == [b"Subject: acceptance three"], subjects
p.dele(1); p.quit()
p = poplib.POP3("127.0.0.1", port, timeout=15)
p.stls(ctx); p.user(user); p.pass_("bob-secret-22")
assert p.stat()[0] == 2
p.quit()
PY
check "python smtplib submits with STARTTLS and login" python3 - "$SUB" "$A" <<'PY'
import smtplib, ssl, sys
port, user = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", port, timeout=15)
s.ehlo()
assert not s.has_extn("auth"), "AUTH must not be offered before TLS"
s.starttls(context=ctx); s.ehlo()
assert "PLAIN" in s.esmtp_features["auth"]
s.login(user, "alice-secret-1")
refused = s.sendmail("alice@example.org", ["alice@example.org"], b"Subject: to myself\r\n\r\nnote\r\n")
assert refused == {}, refused
s.quit()
PY
check "hato alias add creates an alias while the server runs" hato alias add team@example.org alice@example.org bob@example.org
check "swaks to the alias reaches both accounts" \
  swaks --server "127.0.0.1:$SMTP" --from someone@remote.example --to TEAM@example.org \
    --header 'Subject: to the team' --silent 2
check "python smtplib sends SMTPUTF8 with DSN parameters to a plus-address" python3 - "$SMTP" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=15)
s.ehlo()
for extension in ("smtputf8", "dsn", "chunking", "binarymime", "8bitmime"):
    assert s.has_extn(extension), extension
message = "From: 山田 <山田@remote.example>\r\nSubject: 日本語の件名\r\n\r\n本文です。\r\n".encode()
refused = s.sendmail("山田@remote.example", ["bob+news@example.org"], message,
                     mail_options=["SMTPUTF8", "BODY=8BITMIME", "RET=HDRS", "ENVID=acc+2B1"],
                     rcpt_options=["NOTIFY=FAILURE,DELAY", "ORCPT=rfc822;bob+2Bnews@example.org"])
assert refused == {}, refused
s.quit()
PY
check "the alias reached alice too" python3 - "$POP3" "$A" <<'PY'
import poplib, ssl, sys
port, user = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3("127.0.0.1", port, timeout=15)
p.stls(ctx); p.user(user); p.pass_("alice-secret-1")
subjects = [line for n in range(1, p.stat()[0] + 1) for line in p.top(n, 0)[1] if line.startswith(b"Subject:")]
assert b"Subject: to the team" in subjects, subjects
p.quit()
PY
check "python poplib finds the alias and UTF-8 messages stored intact (after UTF8, RFC 6856)" python3 - "$POP3" "$B" <<'PY'
import poplib, ssl, sys
port, user = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3("127.0.0.1", port, timeout=15)
p.stls(ctx)
assert "UTF8" in p.capa(), p.capa()
assert p._shortcmd("UTF8").startswith(b"+OK")
p.user(user); p.pass_("bob-secret-22")
count = p.stat()[0]
assert count == 4, count
team = b"\r\n".join(p.retr(3)[1])
assert b"Subject: to the team" in team, team
utf8 = b"\r\n".join(p.retr(4)[1])
assert "Subject: 日本語の件名".encode() in utf8 and "本文です。".encode() in utf8, utf8
assert b"with UTF8SMTP id" in utf8 and b"for <bob+news@example.org>" in utf8, utf8
p.quit()
p = poplib.POP3("127.0.0.1", port, timeout=15)  # without UTF8: the header in ASCII, the subject as encoded words
p.stls(ctx); p.user(user); p.pass_("bob-secret-22")
message = b"\r\n".join(p.retr(4)[1])
header = message.split(b"\r\n\r\n", 1)[0]
assert all(octet < 0x80 for octet in header), header
assert b"Subject: =?UTF-8?" in header, header
p.quit()
PY
queued_elsewhere() {
  swaks --server "127.0.0.1:$SUBS" --tls-on-connect --auth PLAIN --auth-user "$A" --auth-password alice-secret-1 \
    --from alice@example.org --to friend@elsewhere.example --header 'Subject: going out' --silent 2 || return 1
  hato queue list | tee /dev/stderr | grep -q $'friend@elsewhere.example\t<alice@example.org>'
}
delete_queued() {
  local id
  id="$(hato queue list | awk -F'\t' '/friend@elsewhere.example/ {print $1}')"
  [[ -n "$id" ]] && hato queue delete "$id" && hato queue list | grep -q 'the queue is empty'
}
check "swaks submits to another domain and hato queue list shows it queued" queued_elsewhere
check "hato queue delete removes it" delete_queued
# IMAP: a fresh account, so the checks see only what they put there.
C="$(echo 'carol-secret-3' | hato user add carol@example.org --password-stdin)"
check "start-up banner lists the IMAP and IMAPS ports" bash -c \
  "grep -q 'imap .*127.0.0.1:$IMAP' '$work/server.log' && grep -q 'imaps .*127.0.0.1:$IMAPS' '$work/server.log'"
IMAPS_PORT="$IMAPS" IMAP_PORT="$IMAP" IMAP_USER="$C" IMAP_PASSWORD=carol-secret-3 IMAP_ADDRESS=carol@example.org \
  IMAP_CA="$data/tls/selfsigned-cert.pem" IMAP_TLS_NAME=localhost IMAP_DELIVERY=smtp DELIVERY_PORT="$SMTP"
# shellcheck source=acceptance-imap.sh
source "$root/scripts/acceptance-imap.sh"
check "python imaplib: the address instead of the auth ID gets NO [AUTHENTICATIONFAILED] with a hint" python3 - <<'PY'
import imaplib, imapcheck
m = imapcheck.VerifiedImap()
try:
    m.login("carol@example.org", "carol-secret-3")
    raise SystemExit("LOGIN with the address was accepted")
except imaplib.IMAP4.error as e:
    text = str(e)
    print(text)
    assert "AUTHENTICATIONFAILED" in text and "auth ID" in text, text
PY
check "the status page answers over HTTP" bash -c "curl -sS http://127.0.0.1:$HTTP/ | grep -q 'Hato is running'"
check "the public HTTP port shows no accounts, the management port shows the status page" bash -c \
  "! curl -sS http://127.0.0.1:$HTTP/ | grep -q accounts && curl -sS http://127.0.0.1:$MANAGEMENT/ | grep -q ' accounts'"

# SIGTERM takes the same shutdown path as Ctrl-C (a non-interactive shell starts background jobs with SIGINT
# ignored, so SIGINT cannot be used here).
kill -TERM "$server_pid"
for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 1; done
check "SIGTERM stops the server within a minute" bash -c "! kill -0 $server_pid 2>/dev/null"
wait "$server_pid" 2>/dev/null
check "the embedded PostgreSQL stopped with it" bash -c "! pgrep -f '[b]in/postgres -D $data/postgres' >/dev/null"
check "the log shows no errors" bash -c "! grep -E ' ERROR |Exception' '$work/server.log'"
server_pid=""

echo "acceptance: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
