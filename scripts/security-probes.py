#!/usr/bin/env python3
"""Replays the hostile-input probes of docs/security.md against a running Hato, as an attacker with one ordinary
account (or none) would send them, and checks that Hato answers each as that document says.

Everything goes to 127.0.0.1 (other loopback addresses, 127.0.0.2 to 127.0.6.x, stand in for other clients); every
loop is bounded in count and time. The connection flood opens --flood (10,000) connections and raises this process's
open-file limit for them.
scripts/security-probes.sh starts a fresh Hato from the packaged jar and runs this script against it; to probe
another running Hato, pass its ports and a domain with two fresh accounts:

  scripts/security-probes.py --smtp 25 --submissions 465 --imaps 993 --pop3s 995 --http 8080 \\
      --domain example.org --user AUTH_ID --password PW --address alice@example.org \\
      --other-address bob@example.org

Optional: the plaintext ports (--submission, --imap, --pop3) and --https, --management are probed when given;
--pid makes the server's resident memory (VmRSS) watched, and --max-rss-mb a bound on it; --timing-users names fresh
accounts for the timing probe; --smtp-session-time and --http-idle-timeout tell the deadlines Hato was started with.

Prints "ok   - NAME" or "FAIL - NAME" per probe (with a bystander from another address checked after each), then a
table (probe, result, time, server RSS after, bystander), the figures each probe measured, and a closing
"security-probes: N passed, N failed" line; exits 1 if any probe failed. Python 3 standard library only.
"""

import argparse
import base64
import os
import random
import re
import resource
import selectors
import socket
import ssl
import statistics
import struct
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
import warnings
import zlib

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
    def __init__(self, port, source="127.0.0.1", timeout=TIMEOUT):
        super().__init__(port, True, source, timeout)
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


# ---------------------------------------------------------------------------------------------------------------
# Issue 20 item 8: slow clients, floods, bombs, TLS garbage, timing, cross-account and SQL metacharacters. Each probe
# records what it measured in FIGURES (printed in the closing table); the server's memory is watched throughout
# (Memory, below), and after every probe a bystander from another address must still be served.

FIGURES = {}
TLS_HANDSHAKE_TIMEOUT = 30  # Hato's TLS handshake timeout on every implicit-TLS port (ProtocolServer, WebmailListener)
STARTTLS_HANDSHAKE_TIMEOUT = 10  # after STARTTLS/STLS: Netty's default for the SslHandler that SessionHandler adds


def figure(name, text):
    FIGURES[name] = (FIGURES[name] + "; " if name in FIGURES else "") + text


class Memory:
    """The server's resident set (VmRSS of --pid), sampled every 200 ms in a thread of its own: before the run, after
    each probe, and the peak. Without --pid nothing is measured."""

    def __init__(self, pid, bound_mb):
        self.pid, self.bound_mb = pid, bound_mb
        self.peak = self.before = self.now()
        self.stopped = threading.Event()
        if pid:
            threading.Thread(target=self.sample, daemon=True).start()

    def now(self):
        if not self.pid:
            return None
        try:
            with open("/proc/%d/status" % self.pid) as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024.0
        except OSError:
            return None
        return None

    def sample(self):
        while not self.stopped.wait(0.2):
            rss = self.now()
            if rss is not None and rss > (self.peak or 0):
                self.peak = rss

    def over(self):
        return self.bound_mb and self.peak and self.peak > self.bound_mb


MEMORY = Memory(None, 0)


def bystander(source="127.0.0.250", args=None):
    """A client that did nothing wrong: an SMTP session on port 25 and an IMAPS greeting with CAPABILITY, from an
    address no probe uses. Returns "ok" or what went wrong."""
    try:
        smtp = Smtp(args.smtp, source=source)
        try:
            if not smtp.command("NOOP").startswith("250"):
                return "smtp NOOP refused"
        finally:
            smtp.close()
        imap = Imap(args.imaps, source=source)
        try:
            if imap.command("CAPABILITY")[1].split()[1] != "OK":
                return "imap CAPABILITY refused"
        finally:
            imap.close()
        return "ok"
    except Exception as e:  # any failure of an innocent client is the finding
        return "%s: %s" % (type(e).__name__, e)


def client_hello_bytes(context=None):
    """A real ClientHello, as this Python's TLS would send it (one record)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = (context or TLS).wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


# ----- Slow clients on every port ---------------------------------------------------------------------------------
#
# One trickler per (port, phase) sends one octet a second and never completes what it started: a command line, a TLS
# handshake, an HTTP header. They start before the other probes (so they trickle while those run, as a real attacker
# would, and the longest deadline, port 25's session time, costs no extra time) and are judged at the end.

class Trickler(threading.Thread):
    def __init__(self, name, port, source, deadline, farewell, tls=None, prelude=b"", payload=b"a", plain_prelude=b""):
        super().__init__(daemon=True)
        self.label, self.port, self.source, self.deadline, self.farewell = name, port, source, deadline, farewell
        self.tls, self.prelude, self.payload, self.plain_prelude = tls, prelude, payload, plain_prelude
        self.closed_after = None
        self.received = b""
        self.error = None

    def run(self):
        try:
            self.trickle()
        except Exception as e:  # reported by the probe that judges the tricklers
            self.error = "%s: %s" % (type(e).__name__, e)

    def trickle(self):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT, source_address=(self.source, 0))
        start = time.monotonic()
        if self.plain_prelude:  # STARTTLS and its go-ahead, before the handshake is trickled
            sock.sendall(self.plain_prelude)
            sock.settimeout(10)
            # Octets sent before the go-ahead would be discarded as pipelined plaintext (RFC 3207 §4.2).
            while not re.search(rb"\r\n(220 2|s OK|\+OK)", self.received):
                chunk = sock.recv(65536)
                if not chunk:
                    raise EOFError("closed before the go-ahead: %r" % self.received[-200:])
                self.received += chunk
        if self.tls == "complete":
            sock = TLS.wrap_socket(sock, server_hostname="localhost")
        data = client_hello_bytes() if self.tls == "handshake" else self.prelude + self.payload * 100000
        limit = self.deadline + 30
        sock.settimeout(1.0)
        index = 0
        while time.monotonic() - start < limit:
            try:
                sock.send(data[index:index + 1])
                index += 1
            except OSError:
                break
            try:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                self.received += chunk
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError):
                break
        else:
            sock.close()
            return  # still open: closed_after stays None
        self.closed_after = time.monotonic() - start
        sock.close()


TRICKLERS = []


def start_tricklers(args):
    http_header = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
    login = args.login_deadline
    plans = [
        ("smtp (25), mid-command", args.smtp, args.smtp_session_time, "421", None, b"EHLO "),
        ("smtp (25), mid-STARTTLS-handshake", args.smtp, STARTTLS_HANDSHAKE_TIMEOUT, "", "starttls",
         b"EHLO probe.example\r\nSTARTTLS\r\n"),
        ("submissions (465), mid-handshake", args.submissions, TLS_HANDSHAKE_TIMEOUT, "", "handshake", b""),
        ("submissions (465), mid-command", args.submissions, login, "421", "complete", b"EHLO "),
        ("imaps (993), mid-handshake", args.imaps, TLS_HANDSHAKE_TIMEOUT, "", "handshake", b""),
        ("imaps (993), mid-command", args.imaps, login, "* BYE", "complete", b"a LOGIN "),
        ("pop3s (995), mid-handshake", args.pop3s, TLS_HANDSHAKE_TIMEOUT, "", "handshake", b""),
        ("pop3s (995), mid-command", args.pop3s, login, "-ERR", "complete", b"USER "),
        ("http, mid-header", args.http, args.http_idle_timeout, "", None, http_header),
        ("http, silent", args.http, args.http_idle_timeout, "", None, None),
    ]
    if args.submission:
        plans += [("submission (587), mid-command", args.submission, login, "421", None, b"EHLO "),
                  ("submission (587), mid-STARTTLS-handshake", args.submission, STARTTLS_HANDSHAKE_TIMEOUT, "",
                   "starttls", b"EHLO probe.example\r\nSTARTTLS\r\n")]
    if args.imap:
        plans += [("imap (143), mid-command", args.imap, login, "* BYE", None, b"a LOGIN "),
                  ("imap (143), mid-STARTTLS-handshake", args.imap, STARTTLS_HANDSHAKE_TIMEOUT, "", "starttls",
                   b"s STARTTLS\r\n")]
    if args.pop3:
        plans += [("pop3 (110), mid-command", args.pop3, login, "-ERR", None, b"USER "),
                  ("pop3 (110), mid-STLS-handshake", args.pop3, STARTTLS_HANDSHAKE_TIMEOUT, "", "starttls",
                   b"STLS\r\n")]
    if args.https:
        plans += [("https, mid-handshake", args.https, TLS_HANDSHAKE_TIMEOUT, "", "handshake", b""),
                  ("https, mid-header", args.https, args.http_idle_timeout, "", "complete", http_header)]
    if args.management:
        plans += [("management, mid-header", args.management, args.http_idle_timeout, "", None, http_header)]
    for index, (name, port, deadline, farewell, tls, prelude) in enumerate(plans):
        source = "127.0.4.%d" % (index + 1)
        if tls == "starttls":
            trickler = Trickler(name, port, source, deadline, farewell, tls="handshake", plain_prelude=prelude)
        elif prelude is None:
            trickler = Trickler(name, port, source, deadline, farewell, prelude=b"", payload=b"")
        else:
            trickler = Trickler(name, port, source, deadline, farewell, tls=tls, prelude=prelude)
        if prelude is None:
            trickler.trickle = silent_client(trickler)
        TRICKLERS.append(trickler)
        trickler.start()


def silent_client(trickler):
    """A client that connects and sends nothing at all."""
    def run():
        sock = socket.create_connection(("127.0.0.1", trickler.port), timeout=trickler.deadline + 30,
                                        source_address=(trickler.source, 0))
        start = time.monotonic()
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                trickler.received += chunk
        except socket.timeout:
            sock.close()
            return
        except OSError:
            pass
        trickler.closed_after = time.monotonic() - start
        sock.close()
    return run


def judge_tricklers(args):
    if not TRICKLERS:
        start_tricklers(args)
    problems = []
    started = time.monotonic()
    bystanders = []
    while any(t.is_alive() for t in TRICKLERS) and time.monotonic() - started < args.smtp_session_time + 60:
        bystanders.append(bystander("127.0.0.251", args))
        time.sleep(2)
    for t in TRICKLERS:
        t.join(1)
        greeting_only = t.received.decode("latin-1").strip().splitlines()
        last = greeting_only[-1] if greeting_only else ""
        if t.error:
            problems.append("%s: %s" % (t.label, t.error))
        elif t.closed_after is None:
            problems.append("%s: still connected %d s after its %d s deadline" % (t.label, 30, t.deadline))
        elif not (t.deadline - 1.5 <= t.closed_after <= t.deadline + 15):
            problems.append("%s: closed after %.1f s, the deadline is %d s" % (t.label, t.closed_after, t.deadline))
        elif t.farewell and not last.startswith(t.farewell):
            problems.append("%s: closed without %r (last line %r)" % (t.label, t.farewell, last[:120]))
        figure("slow clients", "%s %.1f s" % (t.label, t.closed_after or -1))
    bystanders += TRICKLE_BYSTANDERS
    bad = [b for b in bystanders if b != "ok"]
    BYSTANDER["slow clients"] = "ok (%d checks)" % len(bystanders) if not bad else "FAILED: " + bad[0]
    expect(not bad, "a bystander was not served while the slow clients trickled: %r" % bad[:3])
    expect(not problems, "\n".join(problems))


BYSTANDER = {}
TRICKLE_BYSTANDERS = []  # the checks after each probe made while slow clients were still connected


# ----- A connection flood -------------------------------------------------------------------------------------------

def raise_open_file_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@probe("a flood of 10,000 connections to port 25: the excess is refused, the server stays up, others are served")
def connection_flood(args):
    limit = raise_open_file_limit(args.flood + 2000)
    total = min(args.flood, limit - 1000)
    sources = 80  # 80 addresses x 125 connections: both the per-address limit and the port's share are exceeded
    per_source = (total + sources - 1) // sources
    selector = selectors.DefaultSelector()
    sockets = []
    outcome = {}
    before = MEMORY.now()
    started = time.monotonic()
    not_connected = 0
    try:
        for batch_start in range(0, total, 250):
            pending = set()
            for i in range(batch_start, min(total, batch_start + 250)):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setblocking(False)
                sock.bind(("127.0.5.%d" % (i // per_source + 1), 0))
                sock.connect_ex(("127.0.0.1", args.smtp))
                sockets.append(sock)
                pending.add(sock)
                selector.register(sock, selectors.EVENT_WRITE)
            deadline = time.monotonic() + 20
            while pending and time.monotonic() < deadline:
                for key, _ in selector.select(timeout=1):
                    selector.unregister(key.fileobj)
                    pending.discard(key.fileobj)
                    if key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                        outcome[key.fileobj] = "not connected"
                        not_connected += 1
                    else:
                        selector.register(key.fileobj, selectors.EVENT_READ)
            for sock in pending:
                selector.unregister(sock)
                outcome[sock] = "not connected"
                not_connected += 1
        connected_after = time.monotonic() - started
        # Every connection that got through must be greeted, or refused with a reply, or closed, within 90 s.
        buffers = {}
        deadline = time.monotonic() + 90
        while len(outcome) < len(sockets) and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=1):
                sock = key.fileobj
                try:
                    chunk = sock.recv(4096)
                except OSError:
                    chunk = b""
                buffers[sock] = buffers.get(sock, b"") + chunk
                if b"\r\n" in buffers[sock] or not chunk:
                    selector.unregister(sock)
                    line = buffers[sock].split(b"\r\n")[0].decode("latin-1")
                    if line.startswith("220"):
                        outcome[sock] = "greeted"
                    elif line.startswith("421"):
                        outcome[sock] = "421 " + " ".join(line.split()[1:2])
                    else:
                        outcome[sock] = "closed" if not line else "other: " + line[:60]
        for sock in sockets:
            outcome.setdefault(sock, "no answer")
        counts = {}
        for value in outcome.values():
            counts[value] = counts.get(value, 0) + 1
        peak = MEMORY.now()
        # While the flood holds its connections: another address is served on IMAPS and submission, and port 25
        # refuses it clearly (its share is full) rather than hanging.
        served = bystander_imaps_and_submissions(args)
        try:
            late = Smtp(args.smtp, source="127.0.0.252", ehlo=False)
            late_reply = late.greeting
            late.close()
        except (EOFError, OSError) as e:
            late_reply = "closed: %s" % e
        BYSTANDER["flood"] = served
        figure("flood", "%d connections from %d addresses in %.1f s: %s; a new client on port 25 meanwhile: %r; "
               "RSS %s -> %s MB" % (len(sockets), sources, connected_after,
                                   ", ".join("%s %d" % kv for kv in sorted(counts.items())), late_reply[:40],
                                   fmt(before), fmt(peak)))
        expect(counts.get("no answer", 0) == 0, "connections neither answered nor closed: %r" % counts)
        expect(not any(k.startswith("other") for k in counts), "unexpected replies: %r" % counts)
        greeted = counts.get("greeted", 0)
        expect(greeted <= args.max_connections // 2, "more greeted than port 25's share: %r" % counts)
        expect(greeted >= min(1000, total // 10), "too few served: %r" % counts)
        expect(served == "ok", "a client on another port was not served during the flood: " + served)
        expect(late_reply.startswith("421") or late_reply.startswith("220"), "port 25 hung: %r" % late_reply)
    finally:
        for sock in sockets:
            try:
                sock.close()
            except OSError:
                pass
        selector.close()
    # Once the flood is gone, port 25 serves again (the server lets go of every connection it held).
    deadline = time.monotonic() + 30
    while True:
        try:
            smtp = Smtp(args.smtp, source="127.0.0.252")
            ok = smtp.greeting.startswith("220") and smtp.command("NOOP").startswith("250")
            smtp.close()
            if ok:
                break
        except (EOFError, OSError):
            pass
        expect(time.monotonic() < deadline, "port 25 did not serve again within 30 s of the flood's end")
        time.sleep(0.5)


def bystander_imaps_and_submissions(args):
    try:
        imap = Imap(args.imaps, source="127.0.0.253")
        try:
            imap.login(args.user, args.password)
            if imap.command("NOOP")[1].split()[1] != "OK":
                return "imap NOOP refused"
        finally:
            imap.close()
        smtp = Smtp(args.submissions, tls=True, source="127.0.0.253")
        try:
            if not smtp.greeting.startswith("220"):
                return "submissions greeting " + smtp.greeting
        finally:
            smtp.close()
        return "ok"
    except Exception as e:
        return "%s: %s" % (type(e).__name__, e)


def fmt(mb):
    return "-" if mb is None else "%.0f" % mb


# ----- Literal and line bombs ---------------------------------------------------------------------------------------

def refused_or_closed(function):
    """Runs function(); a connection the server closed counts as a refusal. Returns the reply or 'closed'."""
    try:
        return function()
    except (EOFError, ConnectionResetError, BrokenPipeError, ssl.SSLError, socket.timeout) as e:
        return "closed (%s)" % type(e).__name__


@probe("huge and countless IMAP literals get BAD/NO or a close, never a continuation, and memory stays bounded")
def literal_bombs(args):
    results = []
    for announce in ("{4294967296}", "{99999999999999999999}", "{4294967296+}", "{99999999999999999999+}",
                     "{18446744073709551616}", "{-1}"):
        for logged_in in (False, True):
            imap = imap_session(args) if logged_in else Imap(args.imaps)
            try:
                command = ("APPEND INBOX " if logged_in else "LOGIN ") + announce

                def attempt():
                    tag = imap.begin(command)
                    first = imap.line()
                    expect(not first.startswith("+"), "%s: the server asked for the literal" % command)
                    return first if first.startswith(tag) else imap.tagged(tag)[1]
                reply = refused_or_closed(attempt)
                expect(reply.startswith("closed") or reply.split()[1] in ("BAD", "NO"),
                       "%s: %s" % (command, reply))
                if not reply.startswith("closed") and not announce.endswith("+}"):
                    expect(imap.command("NOOP")[1].split()[1] == "OK", command + ": the session stopped serving")
                results.append(reply.split(" ", 1)[-1][:40] if not reply.startswith("closed") else reply)
            finally:
                imap.close()
    # Countless small literals in one command: before login (LOGIN with 100,000 arguments) and after (SEARCH with
    # 100,000 criteria).
    for logged_in, head, each, count in ((False, b"LOGIN", b" {1+}\r\nx", 100000),
                                         (True, b"SEARCH", b" SUBJECT {1+}\r\nx", 100000),
                                         (True, b"SEARCH", b" SUBJECT {1+}\r\nx", 4000)):
        imap = imap_session(args) if logged_in else Imap(args.imaps)
        try:
            if logged_in:
                imap.command("SELECT INBOX")
            started = time.monotonic()

            def attempt():
                tag = imap.begin(head + each * count)
                return imap.tagged(tag)[1]
            reply = refused_or_closed(attempt)
            expect(reply.startswith("closed") or reply.split()[1] in ("BAD", "NO", "OK"), reply)
            figure("literal bombs", "%s with %d literals: %s in %.1f s"
                   % (head.decode(), count, reply.split(" ", 1)[-1][:50], time.monotonic() - started))
        finally:
            imap.close()
    figure("literal bombs", "huge literals: " + " | ".join(sorted(set(results))))


@probe("an endless line without CRLF (8 MB) on SMTP, IMAP and POP3 is refused or closed, memory stays bounded")
def line_bombs(args):
    blob = b"a" * (8 * 1024 * 1024)
    for name, make, after, good in (
            ("smtp", lambda: Smtp(args.smtp, source="127.0.0.6"), "NOOP", "250"),
            ("submissions", lambda: Smtp(args.submissions, tls=True, source="127.0.0.6"), "NOOP", "250"),
            ("imaps", lambda: Imap(args.imaps, source="127.0.0.6"), "x NOOP", "x OK"),
            ("pop3s", lambda: Pop3(args.pop3s, source="127.0.0.6"), "NOOP", "-ERR")):
        client = make()
        try:
            started = time.monotonic()

            def attempt():
                client.send(b"x " + blob if name == "imaps" else blob)
                client.send(b"\r\n")
                first = client.line()
                return first
            reply = refused_or_closed(attempt)
            refused = reply.startswith("closed") or reply[:1] in ("5", "-") or " BAD " in reply
            expect(refused, "%s: an 8 MB line was answered %r" % (name, reply[:100]))
            still = "closed"
            if not reply.startswith("closed"):
                def again():
                    client.send(after + "\r\n")
                    line = client.line()
                    while name == "imaps" and line.startswith("*"):
                        line = client.line()
                    return line
                still = refused_or_closed(again)
                expect(still.startswith("closed") or still.startswith(good) or still.startswith("+OK"),
                       "%s: after the refusal %r" % (name, still))
            figure("line bombs", "%s: %s, then %s (%.1f s)" % (name, reply[:45], still[:20],
                                                            time.monotonic() - started))
        finally:
            client.close()


class Pop3(Line):
    def __init__(self, port, source="127.0.0.1", tls=True):
        super().__init__(port, tls, source)
        self.greeting = self.line()

    def command(self, text):
        self.send(text + "\r\n")
        return self.line()


# ----- COMPRESS=DEFLATE bomb ----------------------------------------------------------------------------------------

@probe("a COMPRESS=DEFLATE bomb (1 MB inflating to 1 GiB of one command line) gets BAD, memory stays bounded")
def compress_bomb(args):
    imap = imap_session(args)
    try:
        capabilities = " ".join(imap.command("CAPABILITY")[0])
        if "COMPRESS=DEFLATE" not in capabilities:
            tagged = imap.command("COMPRESS DEFLATE")[1]
            expect(tagged.split()[1] in ("BAD", "NO"), "COMPRESS not advertised but answered " + tagged)
            figure("compress bomb", "COMPRESS not advertised; COMPRESS DEFLATE answered " + tagged[:40])
            return
        tagged = imap.command("COMPRESS DEFLATE")[1]
        expect(tagged.split()[1] == "OK", "COMPRESS DEFLATE refused: " + tagged)
        deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        inflate = zlib.decompressobj(-15)
        size = 1 << 30
        chunk = b"a" * (1 << 20)
        sent = 0
        started = time.monotonic()
        before = MEMORY.now()
        reply = b""
        during = []
        sending = threading.Event()

        def watch():
            while not sending.wait(1.0):
                during.append(bystander("127.0.0.249", args))
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            data = deflate.compress(b"z1 NOOP ")
            for _ in range(size // len(chunk)):
                data += deflate.compress(chunk)
                if len(data) > 65536:
                    imap.sock.sendall(data)
                    sent += len(data)
                    data = b""
            data += deflate.compress(b"\r\nz2 NOOP\r\n") + deflate.flush(zlib.Z_SYNC_FLUSH)
            imap.sock.sendall(data)
            sent += len(data)
            sending.set()
            watcher.join(30)
            imap.sock.settimeout(60)
            while b"z2 " not in reply:
                data = imap.sock.recv(65536)
                if not data:
                    break
                reply += inflate.decompress(data)
        except socket.timeout:
            raise Failed("no answer within 60 s of the bomb's end (received %r)" % reply[:200])
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError) as e:
            reply += ("\r\n[closed: %s]" % type(e).__name__).encode()
        sending.set()
        text = reply.decode("latin-1")
        bad = [d for d in during if d != "ok"]
        BYSTANDER["compress bomb"] = ("ok (%d checks)" % len(during)) if not bad else "FAILED: " + bad[0]
        expect(not bad, "a bystander was not served during the bomb: %r" % bad[:3])
        figure("compress bomb", "%d KB of DEFLATE for 1 GiB of 'a': %s in %.1f s, RSS %s -> %s MB"
               % (sent // 1024, " / ".join(line[:50] for line in text.split("\r\n") if line)[:160],
                  time.monotonic() - started, fmt(before), fmt(MEMORY.now())))
        # One BAD for the line (the inflater hands the session 64 KB at a time, so nothing holds the line whole),
        # and the session goes on. Before InflateHandler the connection was closed without a word, and so was an
        # ordinary compressed APPEND of a few hundred kilobytes.
        expect(re.search(r"(^|\n)(z1|\*) BAD ", text), "no BAD for the inflated line: %r" % text[:200])
        expect("z2 OK" in text, "the session did not go on after the bomb: %r" % text[:200])
    finally:
        imap.close()


# ----- TLS garbage and downgrades -------------------------------------------------------------------------------

def tls_record(content_type, version, body):
    return struct.pack("!BHH", content_type, version, len(body)) + body


def hello_with(version, suites, record_version=0x0301):
    body = struct.pack("!H", version) + os.urandom(32) + b"\x00"
    body += struct.pack("!H", 2 * len(suites)) + b"".join(struct.pack("!H", s) for s in suites) + b"\x01\x00"
    extensions = (
        struct.pack("!HH", 0x000a, 8) + struct.pack("!H", 6) + b"\x00\x17\x00\x18\x00\x1d"       # groups
        + struct.pack("!HH", 0x000b, 2) + b"\x01\x00"                                             # point formats
        + struct.pack("!HH", 0x000d, 8) + struct.pack("!H", 6) + b"\x04\x01\x05\x01\x02\x01")     # signatures
    if version >= 0x0301:
        body += struct.pack("!H", len(extensions)) + extensions
    handshake = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return tls_record(0x16, record_version, handshake)


def sslv2_hello():
    specs = b"\x01\x00\x80\x03\x00\x80\x06\x00\x40\x07\x00\xc0\x02\x00\x80\x04\x00\x80"
    challenge = os.urandom(16)
    body = b"\x01\x00\x02" + struct.pack("!HHH", len(specs), 0, len(challenge)) + specs + challenge
    return struct.pack("!H", 0x8000 | len(body)) + body


WEAK_HELLOS = [
    ("random bytes", lambda: os.urandom(4096)),
    ("an SSLv2 ClientHello", sslv2_hello),
    ("an SSLv3 ClientHello", lambda: hello_with(0x0300, [0x000a, 0x0005, 0x0004, 0x002f], 0x0300)),
    ("a TLS 1.2 ClientHello offering only NULL, EXPORT and RC4 suites",
     lambda: hello_with(0x0303, [0x0001, 0x0002, 0x003b, 0x0003, 0x0006, 0x0008, 0x0004, 0x0005, 0xc011, 0xc010])),
]


def answer_to(port, data, source):
    """What the server sends back to data until it closes (at most 10 s): (octets, closed)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT, source_address=(source, 0))
    try:
        sock.sendall(data)
        sock.settimeout(10)
        received = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return received, True
                received += chunk
        except ConnectionResetError:
            return received, True
        except socket.timeout:
            return received, False
    finally:
        sock.close()


@probe("TLS garbage, SSLv2/SSLv3 and NULL/EXPORT/RC4-only hellos are refused on every TLS port")
def tls_garbage(args):
    ports = [("submissions", args.submissions), ("imaps", args.imaps), ("pop3s", args.pop3s)]
    if args.https:
        ports.append(("https", args.https))
    seen = {}
    for port_name, port in ports:
        for name, make in WEAK_HELLOS:
            received, closed = answer_to(port, make(), "127.0.0.7")
            expect(closed, "%s, %s: still open 10 s later" % (port_name, name))
            # A ServerHello (handshake record 0x16 with message type 2) would mean the server went along.
            expect(not (received[:1] == b"\x16" and received[5:6] == b"\x02"),
                   "%s, %s: the server answered with a ServerHello" % (port_name, name))
            kind = ("alert %d" % received[6] if received[:1] == b"\x15" and len(received) >= 7
                    else "%d octets" % len(received) if received else "closed")
            seen.setdefault(name, set()).add(kind)
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw:
            with TLS.wrap_socket(raw, server_hostname="localhost") as good:
                expect(good.version() in ("TLSv1.2", "TLSv1.3"), "a normal client got " + str(good.version()))
    figure("TLS garbage", "; ".join("%s: %s" % (name, ", ".join(sorted(kinds))) for name, kinds in seen.items()))


@probe("commands sent with STARTTLS in one packet are not answered inside TLS (CVE-2011-0411)")
def starttls_injection(args):
    cases = [("smtp", args.smtp, b"EHLO probe.example\r\n", b"STARTTLS\r\nNOOP\r\n", b"QUIT\r\n", "221")]
    if args.submission:
        cases.append(("submission", args.submission, b"EHLO probe.example\r\n", b"STARTTLS\r\nNOOP\r\n",
                      b"QUIT\r\n", "221"))
    if args.imap:
        cases.append(("imap", args.imap, b"", b"s1 STARTTLS\r\ns2 NOOP\r\n", b"s3 NOOP\r\n", "s3 OK"))
    if args.pop3:
        cases.append(("pop3", args.pop3, b"", b"STLS\r\nCAPA\r\n", b"NOOP\r\n", "-ERR"))
    outcomes = []
    for name, port, before, attack, probe_command, good in cases:
        client = Line(port, False, source="127.0.0.7")
        try:
            client.line()  # greeting
            if before:
                client.send(before)
                line = client.line()
                while line[3:4] == "-":
                    line = client.line()
            client.send(attack)
            go_ahead = client.line()
            expect(go_ahead[:1] in "2+" or " OK" in go_ahead, "%s: STARTTLS refused: %s" % (name, go_ahead))
            leftover = client.buffer
            expect(not leftover, "%s: the injected command was answered in plaintext: %r" % (name, leftover))
            try:
                client.sock = TLS.wrap_socket(client.sock, server_hostname="localhost")
            except (ssl.SSLError, OSError) as e:
                outcomes.append("%s: handshake refused (%s)" % (name, type(e).__name__))
                continue
            client.sock.settimeout(10)
            try:
                client.send(probe_command)
                first = client.line()
            except (EOFError, OSError) as e:
                outcomes.append("%s: closed after the handshake" % name)
                continue
            expect(first.startswith(good), "%s: first reply inside TLS is %r, not the answer to %r (the injected "
                   "command was executed)" % (name, first, probe_command))
            outcomes.append("%s: injected command dropped" % name)
        finally:
            client.close()
    figure("STARTTLS injection", "; ".join(outcomes))


@probe("passwords before STARTTLS are refused on the plaintext ports")
def plaintext_auth(args):
    plain = base64.b64encode(("\0%s\0%s" % (args.user, args.password)).encode()).decode()
    replies = []
    smtp = Smtp(args.smtp, source="127.0.0.7")
    try:
        reply = smtp.command("AUTH PLAIN " + plain)
        expect(reply[:1] == "5", "port 25 AUTH: " + reply)
        replies.append("25: " + reply[:40])
    finally:
        smtp.close()
    if args.submission:
        smtp = Smtp(args.submission, source="127.0.0.7")
        try:
            expect("AUTH" not in smtp.command("EHLO probe.example"), "587 offers AUTH before TLS")
            reply = smtp.command("AUTH PLAIN " + plain)
            expect(reply[:1] == "5", "587 AUTH before STARTTLS: " + reply)
            replies.append("587: " + reply[:50])
        finally:
            smtp.close()
    if args.imap:
        imap = Line(args.imap, False, source="127.0.0.7")
        try:
            greeting = imap.line()
            expect("LOGINDISABLED" in greeting or True, greeting)
            for command in ('a1 LOGIN "%s" "%s"' % (args.user, args.password), "a2 AUTHENTICATE PLAIN " + plain):
                imap.send(command + "\r\n")
                line = imap.line()
                while line.startswith("*"):
                    line = imap.line()
                expect(line.split()[1] in ("NO", "BAD"), "143 %s: %s" % (command[:20], line))
                replies.append("143: " + line[:50])
        finally:
            imap.close()
    if args.pop3:
        pop = Pop3(args.pop3, source="127.0.0.7", tls=False)
        try:
            for command in ("USER " + args.user, "AUTH PLAIN " + plain):
                line = pop.command(command)
                expect(line.startswith("-ERR"), "110 %s: %s" % (command[:10], line))
                replies.append("110: " + line[:50])
        finally:
            pop.close()
    figure("plaintext auth", " | ".join(sorted(set(replies))))


# ----- Brute force and timing of existing vs unknown auth IDs ----------------------------------------------------

def timed_login(port, user, password, source):
    imap = Imap(port, source=source, timeout=90)
    try:
        started = time.monotonic()
        tagged = imap.command('LOGIN "%s" "%s"' % (user, password))[1]
        return time.monotonic() - started, tagged.split(" ", 1)[1]
    finally:
        imap.close()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


@probe("brute force: existing and unknown auth IDs get the same replies in indistinguishable time")
def brute_force_timing(args):
    expect(args.timing_users, "--timing-users not given (fresh accounts nobody has failed a login for)")
    existing = args.timing_users.split(",")
    # Unknown auth IDs shaped like Hato's (an e-mail address is answered at once with a hint to use the auth ID,
    # whether or not anyone has that address; checked below).
    unknown = ["nobody-%d-%s" % (i, os.urandom(3).hex()) for i in range(len(existing))]
    samples = {"existing": [], "unknown": []}
    replies = {"existing": set(), "unknown": set()}
    address = [0]

    def source():
        address[0] += 1
        return "127.0.6.%d" % address[0]
    # Nine failures per auth ID, each from an address of its own: below every throttle, so what is timed is the
    # password check alone (a real hash for the existing account, the same work for the unknown one).
    for round_index in range(9):
        for kind, users in (("existing", existing), ("unknown", unknown)) if round_index % 2 else \
                (("unknown", unknown), ("existing", existing)):
            for user in users:
                took, text = timed_login(args.imaps, user, "wrong-%d" % round_index, source())
                samples[kind].append(took)
                replies[kind].add(text)
    # Then the brute force: eight more guesses at once for one existing and one unknown auth ID. Past ten failures
    # each auth ID's checks take turns (1, 2, 4, ... s apart, never more than 60 s ahead), the same for both.
    late = {"existing": [], "unknown": []}

    def guess(kind, user, index):
        try:
            late[kind].append(timed_login(args.imaps, user, "guess-%d" % index, source()))
        except Exception as e:
            late[kind].append((0.0, "error %s" % e))
    threads = [threading.Thread(target=guess, args=(kind, users[0], i))
               for i in range(8) for kind, users in (("existing", existing), ("unknown", unknown))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    # Addresses instead of auth IDs: an existing account's address and an unknown one get the same hint.
    hints = {}
    for kind, user in (("existing", args.other_address), ("unknown", "nobody-%s@%s" % (os.urandom(3).hex(),
                                                                                       args.domain))):
        hints[kind] = [timed_login(args.imaps, user, "wrong", source()) for _ in range(3)]
    hint_texts = {k: {text for _, text in v} for k, v in hints.items()}
    hint_ms = {k: statistics.median(t for t, _ in v) * 1000 for k, v in hints.items()}
    figure("brute force", "an address as the auth ID: %r, median %.0f ms (existing address) / %.0f ms (unknown)"
           % (sorted(hint_texts["existing"]), hint_ms["existing"], hint_ms["unknown"]))
    expect(hint_texts["existing"] == hint_texts["unknown"], "replies to addresses differ: %r" % hint_texts)
    med = {k: statistics.median(v) for k, v in samples.items()}
    p90 = {k: percentile(v, 0.9) for k, v in samples.items()}
    late_replies = {k: sorted(set(r for _, r in v)) for k, v in late.items()}
    late_slowest = {k: max((t for t, _ in v), default=0) for k, v in late.items()}
    figure("brute force", "%d+8 wrong passwords per kind; median existing %.0f ms, unknown %.0f ms (ratio %.2f); "
           "p90 %.0f / %.0f ms; guesses 11-18 at once: slowest %.1f / %.1f s, replies %r"
           % (len(samples["existing"]), med["existing"] * 1000, med["unknown"] * 1000,
              med["existing"] / med["unknown"], p90["existing"] * 1000, p90["unknown"] * 1000,
              late_slowest["existing"], late_slowest["unknown"], late_replies["existing"]))
    expect(replies["existing"] == replies["unknown"] and len(replies["existing"]) == 1,
           "replies differ: %r" % replies)
    expect(0.5 <= med["existing"] / med["unknown"] <= 2.0, "median times differ grossly: %r" % med)
    failure = next(iter(replies["existing"]))
    expect(all(r == failure or "[UNAVAILABLE]" in r for v in late_replies.values() for r in v),
           "a guess got neither the failure nor the temporary error: %r" % late_replies)
    expect(all(len(v) == 8 for v in late.values()), "guesses not answered within 90 s: %r" % late)


# ----- Cross-account, beyond mailbox names ------------------------------------------------------------------

@probe("COPY/MOVE/APPEND into, ACL on, and POP3 or SMTP as another account are refused")
def cross_account_more(args):
    other = args.other_address.split("@")[0]
    names = ["../%s/INBOX" % other, "~%s/INBOX" % other, "#user/%s/INBOX" % other, args.other_address,
             "%s/INBOX" % args.other_address, "Other Users/%s/INBOX" % other]
    other_before = other_inbox_count(args)
    imap = imap_session(args)
    notes = []
    try:
        expect(deliver(args, args.address, b"Subject: cross-account\r\n\r\nmine\r\n").startswith("250"), "delivery")
        imap.command("SELECT INBOX")
        capabilities = " ".join(imap.command("CAPABILITY")[0])
        for name in names:
            for command in ('COPY 1 "%s"' % name, 'UID COPY 1:* "%s"' % name, 'MOVE 1 "%s"' % name,
                            'UID MOVE 1:* "%s"' % name):
                tagged = imap.command(command)[1]
                expect(tagged.split()[1] in ("NO", "BAD"), "%s answered %s" % (command, tagged))
            message = b"Date: Sun, 6 Dec 2026 00:00:00 +0000\r\nFrom: a@b.example\r\nSubject: x\r\n\r\nx\r\n"
            tag = imap.begin('APPEND "%s" {%d+}' % (name, len(message)))
            imap.send(message + b"\r\n")
            tagged = imap.tagged(tag)[1]
            expect(tagged.split()[1] in ("NO", "BAD"), "APPEND to %s answered %s" % (name, tagged))
        if "ACL" in capabilities.split():
            for command in ('SETACL "%s" %s lrswipkxtea' % (names[0], args.user),
                            'SETACL INBOX "%s" lr' % args.other_address, 'GETACL "%s"' % names[3],
                            'MYRIGHTS "%s"' % names[3]):
                tagged = imap.command(command)[1]
                expect(tagged.split()[1] in ("NO", "BAD"), "%s answered %s" % (command, tagged))
            notes.append("ACL advertised; every ACL command on another account refused")
        else:
            for command in ('GETACL INBOX', 'SETACL INBOX "%s" lr' % args.other_address, 'MYRIGHTS INBOX'):
                tagged = imap.command(command)[1]
                expect(tagged.split()[1] == "BAD", "ACL not advertised, yet %s answered %s" % (command, tagged))
            notes.append("ACL not advertised: GETACL/SETACL/MYRIGHTS are BAD")
        expect(imap.command("NOOP")[1].split()[1] == "OK", "the session stopped serving")
    finally:
        imap.close()
    # POP3: the other's auth ID with this account's password, and SASL PLAIN asking to act as the other.
    other_id = args.other_user or args.other_address
    pop = Pop3(args.pop3s, source="127.0.0.8")
    try:
        pop.command("USER " + other_id)
        reply = pop.command("PASS " + args.password)
        expect(reply.startswith("-ERR"), "POP3 as the other account with my password: " + reply)
    finally:
        pop.close()
    as_other = base64.b64encode(("%s\0%s\0%s" % (other_id, args.user, args.password)).encode()).decode()
    pop = Pop3(args.pop3s, source="127.0.0.8")
    try:
        reply = pop.command("AUTH PLAIN " + as_other)
        expect(reply.startswith("-ERR"), "POP3 AUTH PLAIN with the other as authorization identity: " + reply)
    finally:
        pop.close()
    imap = Imap(args.imaps, source="127.0.0.8")
    try:
        tagged = imap.command("AUTHENTICATE PLAIN " + as_other)[1]
        expect(tagged.split()[1] in ("NO", "BAD"), "IMAP AUTHENTICATE as the other: " + tagged)
    finally:
        imap.close()
    # SMTP submission: the envelope sender must be the logged-in user's own address (MailHandler), and PLAIN's
    # authorization identity cannot name someone else.
    smtp = Smtp(args.submissions, tls=True, source="127.0.0.8")
    try:
        reply = smtp.command("AUTH PLAIN " + as_other)
        expect(reply[:1] == "5", "submission AUTH PLAIN as the other: " + reply)
        mine = base64.b64encode(("\0%s\0%s" % (args.user, args.password)).encode()).decode()
        expect(smtp.command("AUTH PLAIN " + mine).startswith("235"), "my own login failed")
        for sender in (args.other_address, args.other_address.upper(), "postmaster@" + args.domain):
            reply = smtp.command("MAIL FROM:<%s>" % sender)
            expect(reply.startswith("553"), "MAIL FROM:<%s> as %s: %s" % (sender, args.user, reply))
        notes.append("MAIL FROM another address: " + reply[:60])
        expect(smtp.command("MAIL FROM:<%s>" % args.address).startswith("250"), "my own address refused")
    finally:
        smtp.close()
    after = other_inbox_count(args)
    expect(other_before == after, "the other account's INBOX changed: %r -> %r" % (other_before, after))
    figure("cross-account", "; ".join(notes) + ("; other INBOX %s before and after" % after
                                                 if after is not None else ""))


def other_inbox_count(args):
    if not args.other_password:
        return None
    imap = Imap(args.imaps, source="127.0.0.9")
    try:
        imap.login(args.other_user or args.other_address, args.other_password)
        untagged = imap.command("STATUS INBOX (MESSAGES)")[0]
        return [line for line in untagged if "MESSAGES" in line]
    finally:
        imap.close()


# ----- SEARCH with SQL metacharacters ---------------------------------------------------------------------------

SQL_STRINGS = ["'", "''", ";", "--", "' OR '1'='1", "\\", "%", "_", "$$", "E'\\x41'", "/*", "*/", "\\'", "\"",
               "'); DROP TABLE messages; --", "[a-z]", "^$", "\\%", "$1"]


def imap_string(text):
    """The string as an IMAP quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@probe("SEARCH with SQL metacharacters finds exactly the messages that contain them, in every field")
def search_sql_metacharacters(args):
    run = "sqlprobe%d" % time.time_ns()
    messages = []  # (subject, from, body, x-probe) of each message of this run, in delivery order
    for index, text in enumerate(SQL_STRINGS + [None]):
        value = text if text is not None else "clean"
        subject = "%s %d %s" % (run, index, value)
        display = value.replace("\\", "").replace('"', "")
        sender = '"%s %d" <m%d@remote.example>' % (display, index, index)
        body = "body %d %s end" % (index, value)
        messages.append((subject.lower(), sender.lower(), body.lower(), value.lower()))
        data = ("From: %s\r\nSubject: %s\r\nX-Run: %s\r\nX-Probe: %s\r\n\r\n%s\r\n"
                % (sender, subject, run, value, body)).encode()
        expect(deliver(args, args.address, data).startswith("250"), "delivery of %r refused" % value)
    imap = imap_session(args)
    checked = 0
    try:
        imap.command("SELECT INBOX")
        untagged = imap.command('UID SEARCH HEADER X-Run "%s"' % run)[0]
        uids = [int(u) for line in untagged if line.startswith("* SEARCH") for u in line.split()[2:]]
        expect(len(uids) == len(messages), "found %d of the %d messages" % (len(uids), len(messages)))
        uids.sort()
        raw = []
        for uid in uids:
            untagged = imap.command("UID FETCH %d BODY.PEEK[]" % uid)[0]
            raw.append("\n".join(untagged).split("\r\n", 1)[-1].lower())
        for text in SQL_STRINGS:
            needle = text.lower()
            for key, field in (("SUBJECT", 0), ("FROM", 1), ("BODY", 2), ("TEXT", None), ("HEADER X-Probe", 3)):
                if key == "FROM" and ("\\" in text or '"' in text):
                    continue  # not in the display name (it would be quoted there)
                wanted = {uid for uid, m, whole in zip(uids, messages, raw)
                          if (needle in whole if field is None else needle in m[field])}
                for form in ("quoted", "literal"):
                    encoded = text.encode()
                    if form == "quoted":
                        argument = imap_string(text).encode()
                    else:
                        argument = b"{%d+}\r\n" % len(encoded) + encoded
                    tag = imap.begin(b'UID SEARCH HEADER X-Run "' + run.encode() + b'" ' + key.encode() + b" "
                                     + argument)
                    untagged, tagged = imap.tagged(tag)
                    expect(tagged.split()[1] == "OK", "%s %r (%s): %s" % (key, text, form, tagged))
                    found = {int(u) for line in untagged if line.startswith("* SEARCH") for u in line.split()[2:]}
                    expect(found == wanted, "%s %r (%s) found %s, expected %s" % (
                        key, text, form, sorted(uids.index(u) for u in found),
                        sorted(uids.index(u) for u in wanted)))
                    checked += 1
    finally:
        imap.close()
    figure("SQL metacharacters", "%d strings, %d searches (SUBJECT, FROM, BODY, TEXT, HEADER; quoted and literal), "
           "each found exactly its messages" % (len(SQL_STRINGS), checked))


@probe("slow clients on every port are disconnected at their documented deadlines, others are served meanwhile")
def slow_clients(args):
    judge_tricklers(args)


def main():
    global MEMORY
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for port in ("smtp", "submissions", "imaps", "pop3s", "http"):
        parser.add_argument("--" + port, type=int, required=True)
    for port in ("submission", "imap", "pop3", "https", "management"):
        parser.add_argument("--" + port, type=int, default=0, help="optional: probed when given")
    parser.add_argument("--domain", required=True)
    parser.add_argument("--user", required=True, help="an auth ID of a fresh account in --domain")
    parser.add_argument("--password", required=True)
    parser.add_argument("--address", required=True, help="that account's address")
    parser.add_argument("--other-address", required=True, help="a second account's address")
    parser.add_argument("--other-user", help="the second account's auth ID (default: its address)")
    parser.add_argument("--other-password", help="the second account's password: checks that its INBOX is untouched")
    parser.add_argument("--timing-users", help="comma-separated auth IDs of fresh accounts for the timing probe")
    parser.add_argument("--data-dir", help="Hato's data directory (must not appear on public pages)")
    parser.add_argument("--login-deadline", type=float, default=0, help="seconds Hato gives a client to log in")
    parser.add_argument("--smtp-session-time", type=float, default=1800, help="hato.smtp.max-session-time, seconds")
    parser.add_argument("--http-idle-timeout", type=float, default=60, help="hato.http.idle-timeout, seconds")
    parser.add_argument("--max-connections", type=int, default=10000, help="hato.max-connections")
    parser.add_argument("--flood", type=int, default=10000, help="connections the flood opens")
    parser.add_argument("--pid", type=int, help="the server's process id: its memory (VmRSS) is watched")
    parser.add_argument("--max-rss-mb", type=float, default=0, help="fail when the server's RSS exceeds this")
    parser.add_argument("--only", help="run only probes whose name contains one of these comma-separated texts")
    args = parser.parse_args()
    MEMORY = Memory(args.pid, args.max_rss_mb)
    selected = [(name, function) for name, function in PROBES
                if not args.only or any(text in name for text in args.only.split(","))]
    if any(function is slow_clients for _, function in selected):
        start_tricklers(args)
    passed = failed = 0
    rows = []
    run_started = time.monotonic()
    for name, function in selected:
        started = time.monotonic()
        try:
            function(args)
            result = "ok"
            passed += 1
            print("ok   - %s (%.1f s)" % (name, time.monotonic() - started), flush=True)
        except Exception as e:  # every failure is reported, and the next probe still runs
            result = "FAIL"
            failed += 1
            print("FAIL - %s (%.1f s)" % (name, time.monotonic() - started), flush=True)
            detail = str(e) if isinstance(e, Failed) else traceback.format_exc()
            print("       " + detail.strip().replace("\n", "\n       ")[:2000], flush=True)
        after = bystander("127.0.0.250", args)
        if any(t.is_alive() for t in TRICKLERS):
            TRICKLE_BYSTANDERS.append(after)
        during = next((v for k, v in BYSTANDER.items() if k in FIGURE_KEYS.get(function.__name__, ())), None)
        rows.append((name, result, time.monotonic() - started, MEMORY.now(), during or after))
        if after != "ok":
            failed += 1
            print("FAIL - a bystander was not served after: %s (%s)" % (name, after), flush=True)
    MEMORY.stopped.set()
    print()
    print("| probe | result | time s | server RSS MB after | bystander |")
    print("|---|---|---:|---:|---|")
    for name, result, took, rss, served in rows:
        print("| %s | %s | %.1f | %s | %s |" % (name, result, took, fmt(rss), served))
    print()
    for key, text in FIGURES.items():
        print("%s: %s" % (key, text))
    if args.pid:
        print("server RSS: %s MB before, %s MB at the end, %s MB at the peak (bound %s MB)"
              % (fmt(MEMORY.before), fmt(MEMORY.now()), fmt(MEMORY.peak), fmt(args.max_rss_mb or None)))
        if MEMORY.over():
            failed += 1
            print("FAIL - the server's RSS peaked at %s MB, over the bound of %s MB"
                  % (fmt(MEMORY.peak), fmt(args.max_rss_mb)))
    print("security-probes: %d passed, %d failed in %.0f s" % (passed, failed, time.monotonic() - run_started))
    return 1 if failed else 0


FIGURE_KEYS = {"slow_clients": ("slow clients",), "connection_flood": ("flood",), "compress_bomb": ("compress bomb",)}


if __name__ == "__main__":
    sys.exit(main())
