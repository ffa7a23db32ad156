#!/usr/bin/env bash
# IMAP acceptance checks with real clients: curl (IMAPS LIST, FETCH, APPEND), Python's imaplib (a whole session,
# STARTTLS, IDLE woken by a delivery) and mbsync (isync: two-way sync of nested folders with a Japanese name, then a
# sync that must transfer nothing). scripts/acceptance.sh sources this file after starting Hato; run on its own it
# checks any IMAP server, which is how the checks were validated against Dovecot (docs/benchmarks.md shows how):
#
#   IMAPS_PORT=10993 IMAP_PORT=10143 IMAP_USER=carol IMAP_PASSWORD=pw IMAP_ADDRESS=carol@example.org \
#   IMAP_CA=/tmp/dovecot/cert.pem IMAP_TLS_NAME=localhost IMAP_DELIVERY=lmtp DELIVERY_PORT=10024 \
#   IMAP_SOURCE_ADDRESS=127.0.0.2 scripts/acceptance-imap.sh
#
# The account must be new (an INBOX and the special-use folders, nothing else). TLS is verified against IMAP_CA for
# the name IMAP_TLS_NAME; every connection goes to 127.0.0.1. Messages are delivered over SMTP (IMAP_DELIVERY=smtp,
# Hato's MTA port) or LMTP (lmtp, for Dovecot) to IMAP_ADDRESS.

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -uo pipefail
  imap_standalone=1
  work="$(mktemp -d /tmp/hato-acceptance-imap.XXXXXX)"
  passed=0
  failed=0
  trap 'rm -rf "$work"' EXIT
  check() { # check NAME COMMAND...
    local name="$1"; shift
    if "$@" >"$work/check.out" 2>&1; then
      passed=$((passed + 1)); echo "ok   - $name"
    else
      failed=$((failed + 1)); echo "FAIL - $name"; sed 's/^/       /' "$work/check.out" | tail -20
    fi
  }
else
  imap_standalone=0
fi

for tool in curl python3 mbsync swaks; do
  command -v "$tool" >/dev/null || { echo "acceptance-imap: $tool is not installed" >&2; exit 2; }
done
: "${IMAPS_PORT:?}" "${IMAP_USER:?}" "${IMAP_PASSWORD:?}" "${IMAP_ADDRESS:?}" "${IMAP_CA:?}" "${DELIVERY_PORT:?}"
IMAP_PORT="${IMAP_PORT:-}"
IMAP_TLS_NAME="${IMAP_TLS_NAME:-localhost}"
IMAP_DELIVERY="${IMAP_DELIVERY:-smtp}"
export IMAPS_PORT IMAP_PORT IMAP_USER IMAP_PASSWORD IMAP_ADDRESS IMAP_CA IMAP_TLS_NAME IMAP_DELIVERY DELIVERY_PORT
imap_url="imaps://$IMAP_TLS_NAME:$IMAPS_PORT"
imap_curl() { # curl over IMAPS, the certificate verified for IMAP_TLS_NAME while connecting to 127.0.0.1
  curl -sS --max-time 20 --cacert "$IMAP_CA" --connect-to "$IMAP_TLS_NAME:$IMAPS_PORT:127.0.0.1:$IMAPS_PORT" \
    --user "$IMAP_USER:$IMAP_PASSWORD" "$@"
}
imap_deliver() { # imap_deliver SUBJECT [BODY]: one message to IMAP_ADDRESS by SMTP (or LMTP)
  local protocol=SMTP
  [[ "$IMAP_DELIVERY" == lmtp ]] && protocol=LMTP
  swaks --server "127.0.0.1:$DELIVERY_PORT" --protocol "$protocol" --from someone@remote.example \
    --to "$IMAP_ADDRESS" --header "Subject: $1" --body "${2:-a message for the IMAP checks}" --silent 2
}

# What the Python checks share: a verified IMAPS connection, delivery, modified UTF-7 (RFC 3501 §5.1.3).
mkdir -p "$work/py"
cat > "$work/py/imapcheck.py" <<'PY'
import base64, imaplib, os, re, smtplib, socket, ssl

HOST, NAME = "127.0.0.1", os.environ["IMAP_TLS_NAME"]
USER, PASSWORD = os.environ["IMAP_USER"], os.environ["IMAP_PASSWORD"]


def context():
    ctx = ssl.create_default_context(cafile=os.environ["IMAP_CA"])
    return ctx


class VerifiedImap(imaplib.IMAP4_SSL):
    """IMAPS to 127.0.0.1 with the certificate checked for IMAP_TLS_NAME (imaplib would check "127.0.0.1")."""

    def __init__(self):
        super().__init__(HOST, int(os.environ["IMAPS_PORT"]), ssl_context=context(), timeout=20)

    def _create_socket(self, timeout):
        plain = socket.create_connection((self.host, self.port), timeout)
        return self.ssl_context.wrap_socket(plain, server_hostname=NAME)


class PlainImap(imaplib.IMAP4):
    """The IMAP (STARTTLS) port, from IMAP_SOURCE_ADDRESS if set: Dovecot counts a client whose address equals its
    own as secure and offers LOGIN to it without TLS, so the check against Dovecot connects from 127.0.0.2."""

    def __init__(self):
        super().__init__(HOST, int(os.environ["IMAP_PORT"]), timeout=20)

    def _create_socket(self, timeout):
        source = os.environ.get("IMAP_SOURCE_ADDRESS")
        return socket.create_connection((self.host, self.port), timeout, (source, 0) if source else None)


def login():
    m = VerifiedImap()
    m.login(USER, PASSWORD)
    return m


def ok(result, what):
    typ, data = result
    assert typ == "OK", (what, typ, data)
    return data


def deliver(subject, body="delivered for the IMAP checks"):
    port = int(os.environ["DELIVERY_PORT"])
    client = smtplib.LMTP(HOST, port) if os.environ["IMAP_DELIVERY"] == "lmtp" else smtplib.SMTP(HOST, port, timeout=20)
    if os.environ["IMAP_DELIVERY"] == "lmtp":
        client.sock.settimeout(20)
    message = f"From: someone@remote.example\r\nTo: {os.environ['IMAP_ADDRESS']}\r\nSubject: {subject}\r\n\r\n{body}\r\n"
    refused = client.sendmail("someone@remote.example", [os.environ["IMAP_ADDRESS"]], message.encode())
    assert refused == {}, refused
    client.quit()


def mutf7(name):
    """RFC 3501 §5.1.3: printable ASCII stays ("&" becomes "&-"), other runs are "&" + modified BASE64 of UTF-16 + "-"."""
    out, run = [], ""

    def flush():
        if run:
            out.append("&" + base64.b64encode(run.encode("utf-16-be")).decode().rstrip("=").replace("/", ",") + "-")

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            run = ""
            out.append("&-" if ch == "&" else ch)
        else:
            run += ch
    flush()
    return "".join(out)


def fetched(data):
    """imaplib's FETCH data as (the response text without literals, [literals]): items after a literal come in a
    separate part, so a check must not assume BODYSTRUCTURE precedes BODY[]."""
    text, literals = [], []
    for part in data:
        if isinstance(part, tuple):
            text.append(part[0].decode())
            literals.append(part[1])
        else:
            text.append(part.decode())
    return " ".join(text), literals


def snapshot_server():
    """Every mailbox with its UIDVALIDITY and each message's UID and flags (\\Recent aside: selecting changes it)."""
    m = login()
    state = {}
    for line in ok(m.list(), "LIST"):
        name = line.decode().rsplit(' "/" ', 1)[1]
        if "\\Noselect" in line.decode():
            continue
        count = int(ok(m.select(name, readonly=True), "EXAMINE")[0])
        validity = m.untagged_responses.get("UIDVALIDITY", [b"?"])[0].decode()
        messages = []
        if count:
            for line in ok(m.fetch("1:*", "(UID FLAGS)"), "FETCH"):
                line = line.decode()
                uid, flags = re.search(r"UID (\d+)", line).group(1), re.search(r"FLAGS \(([^)]*)\)", line).group(1)
                messages.append((int(uid), " ".join(sorted(set(flags.split()) - {"\\Recent"}))))
            messages.sort()
        state[name] = (validity, messages)
    m.logout()
    return state


def snapshot_local(root):
    """Every Maildir file (path with its flags) and a digest of its content."""
    import hashlib
    state = {}
    for folder, _, files in os.walk(root):
        if os.path.basename(folder) in ("cur", "new"):
            for f in files:
                path = os.path.join(folder, f)
                state[os.path.relpath(path, root)] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return state


def quoted(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
PY
export PYTHONPATH="$work/py${PYTHONPATH:+:$PYTHONPATH}"

# --- curl ----------------------------------------------------------------------------------------------------------
check "curl lists the mailboxes over IMAPS (INBOX and the special-use folders)" bash -c \
  "$(declare -f imap_curl); imap_curl '$imap_url/' | tee /dev/stderr | grep -qE '^\* LIST \(.*\) \"/\" \"?INBOX\"?' \
   && imap_curl '$imap_url/' | grep -qE '\\\\Sent.* \"?Sent\"?'"
check "swaks delivers a message for IMAP" imap_deliver "imap acceptance one" "first line for curl"
imap_fetch_delivered() {
  local found
  found="$(imap_curl "$imap_url/INBOX?SUBJECT%20%22imap%20acceptance%20one%22")" || return 1
  echo "search: $found"
  [[ "$found" =~ \*\ SEARCH\ ([0-9]+) ]] || return 1
  imap_curl "$imap_url/INBOX;MAILINDEX=${BASH_REMATCH[1]}" > "$work/fetched.eml" || return 1
  cat "$work/fetched.eml"
  grep -q '^Subject: imap acceptance one' "$work/fetched.eml" && grep -q '^first line for curl' "$work/fetched.eml"
}
check "curl finds it with SEARCH and fetches it over IMAPS" imap_fetch_delivered
imap_append_and_fetch() {
  printf 'From: curl@example.org\r\nTo: %s\r\nSubject: appended by curl\r\nMessage-ID: <curl-append@acceptance>\r\n\r\nbody appended by curl -T\r\n' \
    "$IMAP_ADDRESS" > "$work/append.eml"
  imap_curl -T "$work/append.eml" "$imap_url/INBOX" || return 1
  local found
  found="$(imap_curl "$imap_url/INBOX?HEADER%20Message-ID%20curl-append@acceptance")" || return 1
  echo "search: $found"
  [[ "$found" =~ \*\ SEARCH\ ([0-9]+)$'\r'?$ ]] || return 1
  imap_curl "$imap_url/INBOX;MAILINDEX=${BASH_REMATCH[1]}" > "$work/appended.eml" || return 1
  cmp "$work/append.eml" "$work/appended.eml"
}
check "curl APPENDs with -T and a FETCH returns the same octets" imap_append_and_fetch

# --- Python imaplib ------------------------------------------------------------------------------------------------
if [[ -n "$IMAP_PORT" ]]; then
  check "python imaplib: LOGINDISABLED on the IMAP port until STARTTLS" python3 - <<'PY'
import imaplib, imapcheck
m = imapcheck.PlainImap()
assert "LOGINDISABLED" in m.capabilities and "STARTTLS" in m.capabilities, m.capabilities
try:
    m.login(imapcheck.USER, imapcheck.PASSWORD)
    raise SystemExit("LOGIN accepted before TLS")
except imaplib.IMAP4.error as e:
    print("refused before TLS:", e)
m = imapcheck.PlainImap()
ctx = imapcheck.context(); ctx.check_hostname = False  # imaplib's starttls verifies against the address given
m.starttls(ssl_context=ctx)
assert "LOGINDISABLED" not in m.capabilities, m.capabilities
imapcheck.ok(m.login(imapcheck.USER, imapcheck.PASSWORD), "LOGIN after STARTTLS")
m.logout()
PY
fi

check "python imaplib: a whole session over IMAPS" python3 - <<'PY'
import re, imapcheck
from imapcheck import ok

m = imapcheck.VerifiedImap()
assert "IMAP4REV1" in m.capabilities, m.capabilities
assert m.state == "NONAUTH"
ok(m.login(imapcheck.USER, imapcheck.PASSWORD), "LOGIN")
caps = ok(m.capability(), "CAPABILITY")[0].decode().upper().split()  # they may grow after LOGIN
print("capabilities:", " ".join(caps))
assert "UIDPLUS" in caps and "MOVE" in caps, ("Hato advertises UIDPLUS and MOVE", caps)
names = [line.decode() for line in ok(m.list(), "LIST")]
assert any(re.search(r'"/" "?INBOX"?$', n) for n in names), names
ok(m.create("Acceptance"), "CREATE")

exists = int(ok(m.select("INBOX"), "SELECT")[0])
assert exists == 2, ("the delivered and the appended message", exists)
found = ok(m.search(None, "SUBJECT", '"imap acceptance one"'), "SEARCH")[0].split()
assert len(found) == 1, found
n = found[0].decode()
ok(m.store(n, "-FLAGS", "(\\Seen)"), "STORE -FLAGS")  # curl's FETCH of BODY[] set it
meta, (body,) = imapcheck.fetched(ok(m.fetch(n, "(UID FLAGS BODY.PEEK[] BODYSTRUCTURE RFC822.SIZE)"), "FETCH"))
assert b"Subject: imap acceptance one" in body and b"first line for curl" in body, body
assert f"RFC822.SIZE {len(body)}" in meta, (meta, len(body))
assert re.search(r'BODYSTRUCTURE \("TEXT" "PLAIN" \(.*"CHARSET" "[^"]+".*\) NIL NIL "[^"]+" \d+ \d+', meta, re.I), meta
flags = ok(m.fetch(n, "(FLAGS)"), "FETCH FLAGS")[0].decode()
assert "\\Seen" not in flags, ("BODY.PEEK must not set \\Seen", flags)
uid = re.search(r"UID (\d+)", meta).group(1)
assert ok(m.uid("SEARCH", None, "BODY", '"first line for curl"'), "UID SEARCH BODY")[0].split() == [uid.encode()]

stored = ok(m.store(n, "+FLAGS", "(\\Flagged)"), "STORE")[0].decode()
assert "\\Flagged" in stored, stored
assert "\\Flagged" in ok(m.fetch(n, "(FLAGS)"), "FETCH FLAGS")[0].decode()
ok(m.fetch(n, "(BODY[TEXT])"), "FETCH BODY[TEXT]")
assert "\\Seen" in ok(m.fetch(n, "(FLAGS)"), "FETCH FLAGS")[0].decode(), "BODY[] sets \\Seen"

typ, data = m.copy(n, "Acceptance")
assert typ == "OK", data
assert re.search(rb"\[COPYUID \d+ \d+ \d+\]", data[0]), data
ok(m._simple_command("MOVE", "2", "Acceptance"), "MOVE")
exists_after = int(ok(m.select("INBOX"), "SELECT")[0])
assert exists_after == 1, ("MOVE removed the message from INBOX", exists_after)
status = ok(m.status("Acceptance", "(MESSAGES UIDNEXT UIDVALIDITY)"), "STATUS")[0].decode()
assert re.search(r"MESSAGES 2\b", status), status

ok(m.store("1", "+FLAGS", "(\\Deleted)"), "STORE \\Deleted")
expunged = ok(m.expunge(), "EXPUNGE")
assert expunged == [b"1"], expunged
assert int(ok(m.select("INBOX"), "SELECT")[0]) == 0

message = b"From: python@example.org\r\nSubject: appended by imaplib\r\n\r\nline one\r\nline two\r\n"
typ, data = m.append("INBOX", "(\\Seen $Label1)", None, message)
assert typ == "OK", data
assert re.search(rb"\[APPENDUID \d+ \d+\]", data[0]), data
exists = int(ok(m.select("INBOX"), "SELECT")[0])
assert exists == 1, exists
data = ok(m.fetch("1", "(FLAGS BODY.PEEK[])"), "FETCH")
assert data[0][1] == message, data
assert "\\Seen" in data[0][0].decode() and "$Label1" in data[0][0].decode(), data[0][0]
ok(m.close(), "CLOSE")
typ, data = m.logout()
assert typ == "BYE", (typ, data)
print("ok")
PY

check "python imaplib: IDLE is woken by a delivery within 10 s" python3 - <<'PY'
import re, socket, threading, time, imapcheck
from imapcheck import ok

m = imapcheck.login()
assert "IDLE" in m.capabilities, m.capabilities
exists = int(ok(m.select("INBOX"), "SELECT")[0])
m.send(b"I1 IDLE\r\n")
line = m.readline()
assert line.startswith(b"+"), line
m.sock.settimeout(10)  # the bounded wait: a read that sees nothing for 10 s fails the check
started = time.monotonic()
threading.Thread(target=imapcheck.deliver, args=("woke the idler",), daemon=True).start()
seen = None
try:
    while seen is None:
        line = m.readline()
        assert line, "connection closed during IDLE"
        print("idle:", line)
        hit = re.match(rb"\* (\d+) EXISTS", line)
        if hit and int(hit.group(1)) > exists:
            seen = time.monotonic() - started
        assert time.monotonic() - started < 10, "no EXISTS within 10 s"
except socket.timeout:
    raise SystemExit("no EXISTS within 10 s of the delivery")
m.send(b"DONE\r\n")
while True:
    line = m.readline()
    if line.startswith(b"I1 "):
        assert line.startswith(b"I1 OK"), line
        break
print(f"EXISTS {seen * 1000:.0f} ms after the delivery started (SMTP session included)")
data = ok(m.fetch(str(exists + 1), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"), "FETCH")
assert b"woke the idler" in data[0][1], data
m.logout()
PY

# --- mbsync --------------------------------------------------------------------------------------------------------
# Two-way sync between a local Maildir and the server: folders created on each side (nested, one Japanese), then
# changes on both (a new local message, a local and a remote flag change, a new delivery), then a sync that must
# find nothing to do. mbsync verifies the server's certificate against CertificateFile and checks the host name
# in it, so it connects to IMAP_TLS_NAME, which must resolve to this machine (localhost).
mb="$work/mbsync"
mkdir -p "$mb/mail/Local/Notes/"{cur,new,tmp}
cat > "$mb/mbsyncrc" <<CONF
IMAPAccount server
Host $IMAP_TLS_NAME
Port $IMAPS_PORT
User $IMAP_USER
Pass $IMAP_PASSWORD
SSLType IMAPS
CertificateFile $IMAP_CA
Timeout 30

IMAPStore far
Account server

MaildirStore near
Path $mb/mail/
Inbox $mb/mail/INBOX
SubFolders Verbatim

Channel all
Far :far:
Near :near:
Patterns *
Create Both
Remove None
Expunge Both
SyncState *
CONF
imap_sync() { mbsync -V -c "$mb/mbsyncrc" -a > "$mb/last.out" 2>&1; local rc=$?; cat "$mb/last.out"; return $rc; }
printf 'From: me@example.org\r\nSubject: local note\r\nMessage-ID: <local-note@acceptance>\r\n\r\nwritten locally\r\n' \
  > "$mb/mail/Local/Notes/new/1700000000.1.acceptance"
check "mbsync prepares: a nested Japanese folder with a message on the server" python3 - <<'PY'
import imapcheck
from imapcheck import ok, mutf7, quoted
m = imapcheck.login()
ok(m.create(quoted("Projects")), "CREATE Projects")
ok(m.create(quoted(mutf7("Projects/日本語"))), "CREATE Projects/日本語")
message = b"From: server@example.org\r\nSubject: on the server\r\nMessage-ID: <server-one@acceptance>\r\n\r\nkept on the server\r\n"
ok(m.append(quoted(mutf7("Projects/日本語")), None, None, message), "APPEND")
names = b" ".join(ok(m.list(), "LIST")).decode()
assert mutf7("Projects/日本語") in names and "&ZeVnLIqe-" in names, names
m.logout()
PY
check "mbsync: first two-way sync" imap_sync
check "mbsync: the server folder and its message arrived in the Maildir, the local one on the server" python3 - "$mb/mail" <<'PY'
import os, sys, imapcheck
from imapcheck import ok, mutf7, quoted
mail = sys.argv[1]
# Debian's mbsync (isync 1.4) names local folders by the server's modified UTF-7 name.
folder = os.path.join(mail, mutf7("Projects/日本語"))
files = [f for d in ("cur", "new") for f in os.listdir(os.path.join(folder, d))]
assert len(files) == 1, (folder, files)
m = imapcheck.login()
count = int(ok(m.select(quoted("Local/Notes")), "SELECT Local/Notes")[0])
assert count == 1, count
data = ok(m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"), "FETCH")
assert b"<local-note@acceptance>" in data[0][1], data
m.logout()
PY
imap_change_both_sides() {
  python3 - "$mb/mail" <<'PY'
import os, sys, imapcheck
from imapcheck import ok, mutf7, quoted
mail = sys.argv[1]
folder = os.path.join(mail, mutf7("Projects/日本語"))
# Local: a new message in the Japanese folder, and the synced message marked seen (Maildir info ":2,S").
with open(os.path.join(folder, "new", "1700000001.2.acceptance"), "wb") as f:
    f.write(b"From: me@example.org\r\nSubject: reply from here\r\nMessage-ID: <local-two@acceptance>\r\n\r\nnew locally\r\n")
(synced,) = [os.path.join(folder, d, f) for d in ("cur", "new") for f in os.listdir(os.path.join(folder, d))
             if not f.startswith("1700000001.")]
os.rename(synced, os.path.join(folder, "cur", os.path.basename(synced).split(":2,")[0] + ":2,S"))
# Server: the Local/Notes message flagged, and a new delivery to INBOX.
m = imapcheck.login()
ok(m.select(quoted("Local/Notes")), "SELECT")
ok(m.store("1", "+FLAGS", "(\\Flagged)"), "STORE")
m.logout()
imapcheck.deliver("new on the server")
PY
}
check "mbsync: changes on both sides (new local message, flags on each side, a new delivery)" imap_change_both_sides
check "mbsync: second sync" imap_sync
check "mbsync: each side has the other's changes" python3 - "$mb/mail" <<'PY'
import os, sys, imapcheck
from imapcheck import ok, mutf7, quoted
mail = sys.argv[1]
def files(folder):
    return [f for d in ("cur", "new") for f in os.listdir(os.path.join(mail, folder, d))]
notes = files("Local/Notes")
assert len(notes) == 1 and notes[0].endswith("F") and ":2," in notes[0], notes
inbox = [open(os.path.join(mail, "INBOX", d, f), "rb").read() for d in ("cur", "new") for f in os.listdir(os.path.join(mail, "INBOX", d))]
assert any(b"Subject: new on the server" in x for x in inbox), len(inbox)
m = imapcheck.login()
count = int(ok(m.select(quoted(mutf7("Projects/日本語"))), "SELECT")[0])
assert count == 2, count
data = ok(m.fetch("1:2", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"), "FETCH")
seen = {part[1].strip().decode(): part[0].decode() for part in data if isinstance(part, tuple)}
print(seen)
assert "\\Seen" in seen["Message-ID: <server-one@acceptance>"], seen
assert "Message-ID: <local-two@acceptance>" in seen, seen
m.logout()
PY
imap_nothing_to_do() {
  # Both sides are recorded before and after: every Maildir file (its name carries the flags) with a digest of its
  # content, and every server mailbox with its UIDVALIDITY, UIDs and flags. A sync that transfers nothing leaves
  # both as they were.
  python3 -c 'import imapcheck, json, sys; print(json.dumps([imapcheck.snapshot_server(), imapcheck.snapshot_local(sys.argv[1])], sort_keys=True, ensure_ascii=False))' \
    "$mb/mail" > "$mb/before.json" || return 1
  imap_sync || return 1
  python3 -c 'import imapcheck, json, sys; print(json.dumps([imapcheck.snapshot_server(), imapcheck.snapshot_local(sys.argv[1])], sort_keys=True, ensure_ascii=False))' \
    "$mb/mail" > "$mb/after.json" || return 1
  cat "$mb/after.json"
  grep -q 'Projects' "$mb/after.json" || return 1
  diff "$mb/before.json" "$mb/after.json"
}
check "mbsync: a third sync transfers nothing" imap_nothing_to_do

if [[ "$imap_standalone" == 1 ]]; then
  echo "acceptance-imap: $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
fi
