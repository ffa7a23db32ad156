#!/usr/bin/env python3
"""Replays the hostile-input probes of docs/security.md against a running Hato, as an attacker with one ordinary
account (or none) would send them, and checks that Hato answers each as that document says.

Everything goes to 127.0.0.1 (and 127.0.0.2 as a second client address); every loop is bounded in count and time.
scripts/security-probes.sh starts a fresh Hato from the packaged jar and runs this script against it; to probe
another running Hato, pass its ports and a domain with two fresh accounts:

  scripts/security-probes.py --smtp 25 --submissions 465 --imaps 993 --pop3s 995 --http 8080 \\
      --domain example.org --user AUTH_ID --password PW --address alice@example.org \\
      --other-address bob@example.org

Prints "ok   - NAME" or "FAIL - NAME" per probe and a closing "security-probes: N passed, N failed" line; exits 1 if
any probe failed. Python 3 standard library only.
"""

import argparse
import base64
import re
import socket
import ssl
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
import warnings

TIMEOUT = 30.0
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


class Failed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failed(message)


# ---------------------------------------------------------------------------------------------------------------
# Minimal line clients: the probes need byte-exact control over what is sent, so no smtplib/imaplib here.

class Line:
    def __init__(self, port, tls, source="127.0.0.1", timeout=TIMEOUT):
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
        self.sock = TLS.wrap_socket(raw, server_hostname="localhost") if tls else raw
        self.buffer = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def line(self):
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; pending: %r" % self.buffer[:200])
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def read_exactly(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed inside a literal")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def closed(self):
        """True once the server closed the connection (reads what is left first)."""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buffer += chunk
        except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
            return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Smtp(Line):
    def __init__(self, port, tls=False, source="127.0.0.1", ehlo=True):
        super().__init__(port, tls, source)
        self.greeting = self.reply()
        if ehlo:
            self.command("EHLO probe.example")

    def reply(self):
        lines = [self.line()]
        while len(lines[-1]) > 3 and lines[-1][3] == "-":
            lines.append(self.line())
        return "\n".join(lines)

    def command(self, text):
        self.send(text + "\r\n")
        return self.reply()


class Imap(Line):
    def __init__(self, port, source="127.0.0.1"):
        super().__init__(port, True, source)
        self.greeting = self.line()
        self.counter = 0

    def tagged(self, tag):
        """Reads up to the tagged reply; returns (untagged lines, tagged line). Literals are read whole."""
        untagged = []
        while True:
            line = self.line()
            literal = re.search(r"\{(\d+)\}$", line)
            while literal:
                line += "\r\n" + self.read_exactly(int(literal.group(1))).decode("utf-8", "replace")
                more = self.line()
                line += more
                literal = re.search(r"\{(\d+)\}$", more)
            if line.startswith(tag + " "):
                return untagged, line
            untagged.append(line)

    def begin(self, text):
        """Sends a command (str or bytes, without its CRLF) under a new tag and returns the tag, reading nothing."""
        self.counter += 1
        tag = "p%d" % self.counter
        line = text if isinstance(text, bytes) else text.encode()
        self.send(tag.encode() + b" " + line + b"\r\n")
        return tag

    def command(self, text):
        return self.tagged(self.begin(text))

    def login(self, user, password):
        untagged, tagged = self.command('LOGIN "%s" "%s"' % (user, password))
        expect(" OK" in tagged, "login failed: " + tagged)


def imap_session(args):
    imap = Imap(args.imaps)
    imap.login(args.user, args.password)
    return imap


def deliver(args, recipient, body, mail_from="someone@remote.example", options="", rcpt_options=""):
    smtp = Smtp(args.smtp)
    try:
        expect(smtp.command("MAIL FROM:<%s>%s" % (mail_from, options)).startswith("250"), "MAIL refused")
        expect(smtp.command("RCPT TO:<%s>%s" % (recipient, rcpt_options)).startswith("250"), "RCPT refused")
        expect(smtp.command("DATA").startswith("354"), "DATA refused")
        smtp.send(body)
        smtp.send(b"\r\n.\r\n")
        return smtp.reply()
    finally:
        smtp.close()


# ---------------------------------------------------------------------------------------------------------------
# The probes. Each returns nothing and raises Failed (or any exception) when Hato does not answer as documented.

PROBES = []


def probe(name):
    def register(function):
        PROBES.append((name, function))
        return function
    return register


@probe("LIST with 2,000 '%' is refused at once and a second client is answered meanwhile")
def list_wildcard_flood(args):
    attacker = imap_session(args)
    bystander = Smtp(args.smtp)
    try:
        flood = attacker.begin('LIST "" "%s"' % ("%" * 2000 + "Z"))
        # The bystander must be answered while the attacker's command is (or was) being processed.
        expect(bystander.command("NOOP").startswith("250"), "the second client was not answered")
        untagged, tagged = attacker.tagged(flood)
        expect(" BAD " in tagged, "expected BAD for an over-long pattern: " + tagged)
        untagged, tagged = attacker.command('LIST "" "%s"' % ("%" * 52 + "Z"))
        expect(" OK " in tagged or " BAD " in tagged, "LIST with 52 '%' not answered: " + tagged)
        expect(attacker.command("NOOP")[1].split()[1] == "OK", "the attacker's session stopped serving")
    finally:
        attacker.close()
        bystander.close()


def many_parts(count):
    parts = ["From: a@remote.example\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
             "Content-Type: multipart/mixed; boundary=b\r\n\r\n"]
    parts += ["--b\r\n\r\nx\r\n"] * count
    parts.append("--b--\r\n")
    return "".join(parts).encode()


def many_fields(count):
    return (b"From: a@remote.example\r\nSubject: fields\r\n" + b"X-A: b\r\n" * count + b"\r\nbody\r\n")


def long_folded_field(lines):
    return (b"From: a@remote.example\r\nSubject: folded\r\nX-Folded: a" + b"\r\n b" * lines + b"\r\n\r\nbody\r\n")


def long_part_header_line(octets):
    return (b"From: a@remote.example\r\nSubject: long line\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nX-Long: " + b"a" * octets
            + b"\r\n\r\nx\r\n--b--\r\n")


POISON = [
    ("100,000 MIME parts", lambda: many_parts(100_000)),
    ("500,000 header fields", lambda: many_fields(500_000)),
    ("a header field folded over 2,000,000 lines", lambda: long_folded_field(2_000_000)),
    ("a 20 MB header line inside a MIME part", lambda: long_part_header_line(20 * 1024 * 1024)),
]


@probe("poison messages are refused on port 25 with 5xx, and the connection keeps serving")
def poison_messages_smtp(args):
    for name, make in POISON:
        smtp = Smtp(args.smtp)
        try:
            expect(smtp.command("MAIL FROM:<a@remote.example>").startswith("250"), name + ": MAIL refused")
            expect(smtp.command("RCPT TO:<%s>" % args.address).startswith("250"), name + ": RCPT refused")
            expect(smtp.command("DATA").startswith("354"), name + ": DATA refused")
            smtp.send(make())
            smtp.send(b"\r\n.\r\n")
            reply = smtp.reply()
            expect(reply.startswith("5"), "%s: expected 5xx after the data, got %r" % (name, reply[:200]))
            expect(smtp.command("NOOP").startswith("250"), name + ": the connection stopped serving")
        finally:
            smtp.close()


@probe("poison messages are refused by IMAP APPEND with a tagged NO, and the session keeps serving")
def poison_messages_append(args):
    imap = imap_session(args)
    try:
        for name, make in POISON[:3]:
            message = make()
            tag = imap.begin("APPEND INBOX {%d+}" % len(message))
            imap.send(message + b"\r\n")
            untagged, tagged = imap.tagged(tag)
            expect(tagged.split()[1] in ("NO", "BAD"), "%s: expected NO, got %r" % (name, tagged))
            expect(imap.command("NOOP")[1].split()[1] == "OK", name + ": the session stopped serving")
    finally:
        imap.close()


@probe("a bare CR line '\\r.\\r' never reaches a mailbox (or the next server) as a bare CR")
def bare_carriage_return(args):
    marker = "bare-cr-%d" % time.time_ns()
    reply = deliver(args, args.address,
                    ("From: a@remote.example\r\nSubject: %s\r\n\r\nline\r.\rMAIL FROM:<x@y>\rRCPT TO:<z@w>\r"
                     "DATA\rsmuggled\r.\rend\r\n" % marker).encode())
    if reply.startswith("5"):
        return  # refused at the door: nothing stored
    expect(reply.startswith("250"), "neither accepted nor refused: " + reply)
    imap = imap_session(args)
    try:
        imap.command("SELECT INBOX")
        untagged, tagged = imap.command('UID SEARCH SUBJECT "%s"' % marker)
        uids = [u for line in untagged if line.startswith("* SEARCH") for u in line.split()[2:]]
        expect(len(uids) == 1, "stored copy not found: %r" % untagged)
        tag = imap.begin("UID FETCH %s BODY.PEEK[]" % uids[0])
        first = imap.line()
        size = int(re.search(r"\{(\d+)\}$", first).group(1))
        body = imap.read_exactly(size)
        imap.tagged(tag)
        expect(re.search(rb"\r(?!\n)", body) is None, "a bare CR was stored: %r" % body[-120:])
        expect(re.search(rb"(?<!\r)\n", body) is None, "a bare LF was stored: %r" % body[-120:])
    finally:
        imap.close()


@probe("ten wrong passwords from 127.0.0.2 do not lock the owner out from a new address, 127.0.0.5")
def no_forced_lockout(args):
    replies = []

    def wrong(index):
        try:
            imap = Imap(args.imaps, source="127.0.0.2")
            try:
                replies.append(imap.command('LOGIN "%s" "wrong-%d"' % (args.user, index))[1])
            finally:
                imap.close()
        except Exception as e:  # a refusal at connect counts as a refusal too
            replies.append("connection: %s" % e)

    threads = [threading.Thread(target=wrong, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    expect(len(replies) == 12 and not any(" OK " in r for r in replies), "wrong passwords: %r" % replies)
    owner = Imap(args.imaps, source="127.0.0.5")
    try:
        untagged, tagged = owner.command('LOGIN "%s" "%s"' % (args.user, args.password))
        expect(" OK " in tagged, "the owner was locked out: " + tagged)
    finally:
        owner.close()


@probe("an unknown auth ID and a wrong password get the same reply")
def same_reply_for_unknown_auth_id(args):
    texts = []
    for user in (args.user, "nobody-zzzz"):
        imap = Imap(args.imaps, source="127.0.0.3")
        try:
            tagged = imap.command('LOGIN "%s" "wrong-password"' % user)[1]
            texts.append(tagged.split(" ", 1)[1])
        finally:
            imap.close()
    expect(texts[0] == texts[1], "replies differ: %r" % texts)


@probe("2,004 RCPT to unknown users end with 421 and a closed connection long before the last")
def recipient_harvesting(args):
    smtp = Smtp(args.smtp, source="127.0.0.4")
    try:
        expect(smtp.command("MAIL FROM:<h@remote.example>").startswith("250"), "MAIL refused")
        answered = 0
        last = ""
        deadline = time.monotonic() + 240
        for i in range(2004):
            if time.monotonic() > deadline:
                raise Failed("still answering after 240 s and %d recipients" % answered)
            try:
                last = smtp.command("RCPT TO:<nobody%d@%s>" % (i, args.domain))
            except (EOFError, ConnectionResetError, BrokenPipeError, ssl.SSLError):
                break
            answered += 1
            if last.startswith("421"):
                break
        expect(last.startswith("421"), "no 421 after %d recipients; last reply %r" % (answered, last))
        expect(answered < 200, "the 421 came only after %d unknown recipients" % answered)
        expect(smtp.closed(), "the connection stayed open after 421")
    finally:
        smtp.close()


@probe("a client that trickles bytes without logging in is disconnected at the login deadline")
def login_deadline(args):
    expect(args.login_deadline > 0, "--login-deadline not given (the deadline Hato was started with)")
    imap = Imap(args.imaps)
    try:
        start = time.monotonic()
        farewell = ""
        while time.monotonic() - start < args.login_deadline + 20:
            try:
                imap.send("a")
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                break
            imap.sock.settimeout(1.0)
            try:
                farewell = imap.line()
                break
            except socket.timeout:
                continue
            except EOFError:
                break
        expect(time.monotonic() - start < args.login_deadline + 20, "still connected long after the deadline")
        expect(farewell == "" or farewell.startswith("* BYE"), "unexpected farewell %r" % farewell)
    finally:
        imap.close()


@probe("a NUL in a SEARCH string is a BAD, not a server error")
def search_nul(args):
    imap = imap_session(args)
    try:
        imap.command("SELECT INBOX")
        tag = imap.begin(b"SEARCH SUBJECT {3+}\r\na\x00b")
        tagged = imap.tagged(tag)[1]
        expect(tagged.split()[1] == "BAD", "literal with NUL: " + tagged)
        tagged = imap.command('SEARCH SUBJECT "a\x00b"')[1]
        expect(tagged.split()[1] == "BAD", "quoted string with NUL: " + tagged)
        expect(imap.command("NOOP")[1].split()[1] == "OK", "the session stopped serving")
    finally:
        imap.close()


@probe("a SEARCH literal over the limit is refused with a text about the search, not APPENDLIMIT")
def search_literal_too_long(args):
    imap = imap_session(args)
    try:
        imap.command("SELECT INBOX")
        tag = imap.begin("SEARCH SUBJECT {100000}")
        first = imap.line()
        if first.startswith("+"):
            imap.send(b"a" * 100000 + b"\r\n")
            first = imap.tagged(tag)[1]
        elif not first.startswith(tag):
            first = imap.tagged(tag)[1]
        expect(first.split()[1] in ("NO", "BAD"), "over-long SEARCH literal accepted: " + first)
        expect("APPENDLIMIT" not in first.upper(), "the refusal talks about APPEND: " + first)
        expect(imap.command("NOOP")[1].split()[1] == "OK", "the session stopped serving")
    finally:
        imap.close()


@probe("APPEND of a zero-octet message is refused and nothing is stored")
def append_empty(args):
    imap = imap_session(args)
    try:
        before = [l for l in imap.command("STATUS INBOX (MESSAGES)")[0] if "MESSAGES" in l]
        tagged = imap.command("APPEND INBOX {0+}\r\n")[1]
        expect(tagged.split()[1] in ("NO", "BAD"), "empty APPEND accepted: " + tagged)
        after = [l for l in imap.command("STATUS INBOX (MESSAGES)")[0] if "MESSAGES" in l]
        expect(before == after, "message count changed: %r -> %r" % (before, after))
    finally:
        imap.close()


@probe("invalid UTF-8 in an SMTPUTF8 MAIL FROM is refused")
def smtputf8_invalid(args):
    smtp = Smtp(args.smtp)
    try:
        smtp.send(b"MAIL FROM:<\xff\xfe@remote.example> SMTPUTF8\r\n")
        reply = smtp.reply()
        expect(reply.startswith("5"), "invalid UTF-8 accepted: " + reply)
        expect(smtp.command("NOOP").startswith("250"), "the connection stopped serving")
    finally:
        smtp.close()


@probe("the anonymous status page and /health reveal no path, port, version or counts")
def status_page_anonymous(args):
    for path in ("/", "/health"):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (args.http, path), timeout=TIMEOUT) as r:
                text = r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
        for secret in (args.data_dir or "\0", "postgres", "version", "accounts", "disk"):
            expect(secret.lower() not in text.lower(), "%s shows %r: %s" % (path, secret, text[:300]))


@probe("a success report for mail from port 25 carries no original headers")
def success_report_content(args):
    marker = "dsn-probe-%d" % time.time_ns()
    reply = deliver(args, args.other_address,
                    ("From: %s\r\nSubject: %s\r\n\r\nsecret body\r\n" % (args.address, marker)).encode(),
                    mail_from=args.address, options=" RET=HDRS", rcpt_options=" NOTIFY=SUCCESS")
    expect(reply.startswith("250"), "delivery refused: " + reply)
    imap = imap_session(args)
    try:
        deadline = time.monotonic() + 30
        while True:
            imap.command("SELECT INBOX")
            untagged = imap.command('SEARCH HEADER Content-Type "delivery-status"')[0]
            found = [u for line in untagged if line.startswith("* SEARCH") for u in line.split()[2:]]
            if found:
                break
            expect(time.monotonic() < deadline, "no success report arrived (was NOTIFY honoured at all?)")
            time.sleep(0.5)
        untagged = imap.command("FETCH %s BODY.PEEK[]" % found[-1])[0]
        report = "\n".join(untagged)
        expect(marker not in report, "the report repeats the original Subject")
    finally:
        imap.close()


@probe("an open relay attempt on port 25 is refused")
def no_relay(args):
    smtp = Smtp(args.smtp)
    try:
        smtp.command("MAIL FROM:<a@remote.example>")
        expect(smtp.command("RCPT TO:<b@elsewhere.example>").startswith("5"), "relaying accepted")
    finally:
        smtp.close()


@probe("no SMTP smuggling variant ends DATA early")
def smuggling(args):
    for variant in (b"\n.\r\n", b"\r\n.\n", b"\n.\n", b"\r.\r\n", b"\r\n.\r"):
        smtp = Smtp(args.smtp)
        try:
            smtp.command("MAIL FROM:<a@remote.example>")
            smtp.command("RCPT TO:<%s>" % args.address)
            smtp.command("DATA")
            smtp.send(b"Subject: smuggle\r\n\r\nbody" + variant
                      + b"MAIL FROM:<evil@remote.example>\r\nRCPT TO:<x@elsewhere.example>\r\nDATA\r\nevil\r\n"
                      + b"\r\n.\r\n")
            first = smtp.reply()
            expect(first[0] in "25", "%r: %s" % (variant, first))
            smtp.send(b"NOOP\r\n")
            nxt = smtp.reply()
            expect(nxt.startswith("250"), "%r: a smuggled command was answered: %r" % (variant, nxt))
            expect(not smtp.buffer, "%r: extra replies %r" % (variant, smtp.buffer))
        finally:
            smtp.close()


@probe("SEARCH treats % and _ as ordinary characters")
def search_metacharacters(args):
    marker = "%d" % time.time_ns()
    # With % or _ as wildcards the second subject of each pair would match too.
    pairs = [("m%s 10%% off" % marker, "m%s 100 off" % marker), ("n%s a_c" % marker, "n%s abc" % marker)]
    for pair in pairs:
        for subject in pair:
            expect(deliver(args, args.address, ("Subject: %s\r\n\r\nx\r\n" % subject).encode())
                   .startswith("250"), "delivery refused")
    imap = imap_session(args)
    try:
        imap.command("SELECT INBOX")
        for wanted, other in pairs:
            untagged = imap.command('SEARCH SUBJECT "%s"' % wanted)[0]
            hits = [u for line in untagged if line.startswith("* SEARCH") for u in line.split()[2:]]
            expect(len(hits) == 1, "%r matched %d messages: %r" % (wanted, len(hits), untagged))
    finally:
        imap.close()


@probe("another account's mailboxes cannot be named")
def cross_account(args):
    other = args.other_address.split("@")[0]
    imap = imap_session(args)
    try:
        for name in ("../%s/INBOX" % other, "~%s/INBOX" % other, "#shared/%s/INBOX" % other,
                     "#user/%s/INBOX" % other, "/INBOX/../../%s" % other, args.other_address,
                     "%s/INBOX" % args.other_address, "Other Users/%s" % other):
            for command in ('SELECT "%s"' % name, 'STATUS "%s" (MESSAGES)' % name):
                untagged, tagged = imap.command(command)
                expect(tagged.split()[1] in ("NO", "BAD"), "%s answered %s" % (command, tagged))
        untagged = imap.command('LIST "" "*"')[0]
        expect(not any(other in line for line in untagged), "LIST shows the other account: %r" % untagged)
    finally:
        imap.close()


@probe("TLS below 1.2 is refused")
def old_tls(args):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
    except ValueError:
        return  # this Python cannot even offer TLS 1.1
    with socket.create_connection(("127.0.0.1", args.imaps), timeout=TIMEOUT) as raw:
        try:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                raise Failed("negotiated " + tls.version())
        except ssl.SSLError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for port in ("smtp", "submissions", "imaps", "pop3s", "http"):
        parser.add_argument("--" + port, type=int, required=True)
    parser.add_argument("--domain", required=True)
    parser.add_argument("--user", required=True, help="an auth ID of a fresh account in --domain")
    parser.add_argument("--password", required=True)
    parser.add_argument("--address", required=True, help="that account's address")
    parser.add_argument("--other-address", required=True, help="a second account's address")
    parser.add_argument("--data-dir", help="Hato's data directory (must not appear on public pages)")
    parser.add_argument("--login-deadline", type=float, default=0, help="seconds Hato gives a client to log in")
    parser.add_argument("--only", help="run only probes whose name contains one of these comma-separated texts")
    args = parser.parse_args()
    passed = failed = 0
    for name, function in PROBES:
        if args.only and not any(text in name for text in args.only.split(",")):
            continue
        started = time.monotonic()
        try:
            function(args)
            passed += 1
            print("ok   - %s (%.1f s)" % (name, time.monotonic() - started), flush=True)
        except Exception as e:  # every failure is reported, and the next probe still runs
            failed += 1
            print("FAIL - %s (%.1f s)" % (name, time.monotonic() - started), flush=True)
            detail = str(e) if isinstance(e, Failed) else traceback.format_exc()
            print("       " + detail.strip().replace("\n", "\n       ")[:2000], flush=True)
    print("security-probes: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
