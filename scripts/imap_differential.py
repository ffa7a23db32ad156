#!/usr/bin/env python3
"""Differential IMAP conformance: plays the client lines of the IMAP conversation scripts
(gateway/src/test/resources/conversations/imap/*.conv, format in ConversationScript.java) against two servers,
normalises what each answers and reports every step where the two differ and the allow-list does not say why.

Used by scripts/imap-differential.sh (which starts Hato and Dovecot); standard library only.

  imap_differential.py --left NAME=HOST:IMAP:IMAPS --right NAME=HOST:IMAP:IMAPS --var A=... [--var ...]
                       --allow FILE [--show] SCRIPT.conv...

A step is what one session sends up to the next directive that reads (its C: lines) and every reply line up to the
number of tagged replies and continuation requests the script expects there (or, for a step without either, the
number of lines it expects), plus whatever else arrives within a short quiet period. Normalisation drops what the
RFCs leave to the server or what differs by construction: the human-readable text after OK/NO/BAD/BYE/PREAUTH and
after "+", UIDVALIDITY, MODSEQ and HIGHESTMODSEQ values, INTERNALDATE, capability lists, the ID response, the order
of FETCH data items and of flag lists, and the order of untagged lines in a step the script reads as UNORDERED.
"""
import argparse
import base64
import re
import socket
import ssl
import sys
import time

STEP_TIMEOUT = 12.0  # Dovecot delays a login after failed ones (anvil auth penalty: 2 s, 4 s, ...)
SOURCE_ADDRESS = "127.0.0.2"
QUIET = 0.15
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)}")


class Unplayable(Exception):
    pass


def substitute(line, variables):
    def one(match):
        name = match.group(1)
        if name not in variables:
            raise Unplayable("uses ${%s}, which only Hato's test harness defines" % name)
        return variables[name]
    return VARIABLE.sub(one, line)


def unescape(text):
    """The octets of a C: line, as ConversationScript.octets: \\r \\n \\t \\0 \\\\ and \\xNN."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 3 < len(text) and text[i + 1] == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
            continue
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0"}.get(n, n.encode())
            i += 2
            continue
        out += c.encode()
        i += 1
    return bytes(out)


class Connection:
    def __init__(self, host, port, implicit_tls):
        # From 127.0.0.2: Dovecot counts a client whose address equals its own as secure and lets it log in without
        # TLS, whatever ssl= says; any other loopback address is an ordinary client.
        self.sock = socket.create_connection((host, port), timeout=10, source_address=(SOURCE_ADDRESS, 0))
        self.host = host
        if implicit_tls:
            self.start_tls()
        self.buffer = b""
        self.eof = False

    def start_tls(self):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self.sock = context.wrap_socket(self.sock, server_hostname="localhost")

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.eof = True

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or self.eof:
            return False
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except (socket.timeout, ssl.SSLError, TimeoutError):
            return False
        except OSError:
            self.eof = True
            return False
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def read_response_line(self, deadline):
        """One response line with its literals inlined, without the final CRLF; None on timeout or EOF."""
        line = b""
        while True:
            end = self.buffer.find(b"\r\n")
            while end < 0:
                if not self._fill(deadline):
                    return None
                end = self.buffer.find(b"\r\n")
            part, self.buffer = self.buffer[:end], self.buffer[end + 2:]
            line += part
            literal = re.search(rb"\{(\d+)\}$", part)
            if not literal:
                return line.decode("utf-8", "surrogateescape")
            size = int(literal.group(1))
            while len(self.buffer) < size:
                if not self._fill(deadline):
                    return None
            line += b"\r\n" + self.buffer[:size]
            self.buffer = self.buffer[size:]

    def closed_by_server(self):
        self._fill(time.monotonic() + 1.0)
        return self.eof

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def parse(path):
    """The script's lines (Player.play reads the directives as ConversationScript does)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    return lines


TERMINAL_PATTERN = re.compile(r"^(\\\+|\+|[^\s\\*]\S* \(?(\?:)?(OK|NO|BAD))")
TERMINAL_LINE = re.compile(r"^(\+|[^\s*]\S* (OK|NO|BAD)\b)")


def is_terminal(pattern):
    """A pattern for a tagged reply or a continuation request (literal content lines in a script are S: lines too)."""
    return TERMINAL_PATTERN.match(pattern) is not None


def java_to_python(pattern):
    return re.sub(r"\(\?<([A-Za-z][A-Za-z0-9]*)>", r"(?P<\1>", pattern)


class Player:
    def __init__(self, server, variables):
        self.name, host, imap, imaps = server
        self.host = host
        self.ports = {"imap": int(imap), "imaps": int(imaps)}
        self.variables = dict(variables)

    def connect(self, listener):
        if listener not in self.ports:
            raise Unplayable("uses the %s listener" % listener)
        return Connection(self.host, self.ports[listener], listener == "imaps")

    def play(self, path):
        """Returns [(label, [normalised lines])] per step."""
        lines = parse(path)
        steps = []
        sessions = {}
        listener = None
        current = None
        current_id = None
        pending = None  # (label, sent) of the step being built
        expected = []
        unordered = False
        continued = False
        last_tag = ""
        number = 0

        def finish():
            nonlocal pending, expected, unordered, continued
            if pending is None and not expected:
                return
            continued = bool(expected) and expected[-1].startswith(("\\+", "+"))
            label = pending[0] if pending else "S%s@%d" % (current_id, number)
            got = self.read_step(current, expected)
            steps.append((label, normalise(got, unordered)))
            self.capture(expected, got)
            pending, expected, unordered = None, [], False

        try:
            while number < len(lines):
                raw = lines[number]
                number += 1
                if not raw.strip() or raw.startswith("#"):
                    continue
                if raw.startswith("S: "):
                    expected.append(raw[3:])
                    continue
                if raw == "UNORDERED":
                    unordered = True
                    while number < len(lines) and lines[number] != "END":
                        expected.append(lines[number][3:])
                        number += 1
                    number += 1
                    continue
                if raw.startswith(("C: ", "C~: ", "C*: ")) and not expected and pending is not None:
                    pass  # more client lines of the same step
                else:
                    finish()
                line = substitute(raw, self.variables)
                if line.startswith("LISTENER: "):
                    listener = line[10:].strip()
                    if current is None:
                        current = self.connect(listener)
                        sessions["1"] = current
                        current_id = "1"
                elif line.startswith("SESSION: "):
                    parts = line[9:].split()
                    current_id = parts[0]
                    on = parts[1] if len(parts) > 1 else listener
                    if current_id not in sessions:
                        sessions[current_id] = self.connect(on)
                    current = sessions[current_id]
                elif line.startswith("PAUSE: "):
                    time.sleep(int(line[7:]) / 1000.0)
                elif line.startswith(("C: ", "C~: ", "C*: ")):
                    if line.startswith("C: "):
                        data = unescape(line[3:]) + b"\r\n"
                    elif line.startswith("C~: "):
                        data = unescape(line[4:])
                    else:
                        count, text = line[4:].split(" ", 1)
                        data = text.encode() * int(count) + b"\r\n"
                    if pending is None:
                        if continued:  # the literal after a "+": labelled with the command's tag and "+"
                            first = last_tag + "+"
                        else:
                            first = data.split(b" ", 1)[0].decode("utf-8", "replace")[:30]
                            last_tag = first
                        pending = ("%s:%s" % (current_id, first), data)
                    current.send(data)
                elif line == "STARTTLS":
                    current.start_tls()
                elif line == "DROP":
                    current.close()
                    sessions = {k: v for k, v in sessions.items() if v is not current}
                    current = None
                elif line == "CLOSED":
                    steps.append(("%s:CLOSED@%d" % (current_id, number),
                                  ["(closed)" if current.closed_by_server() else "(still open)"]))
                else:
                    raise Unplayable("unknown directive at line %d: %s" % (number, raw))
            finish()
        except (OSError, ValueError) as e:  # ssl.SSLError is an OSError
            steps.append(("%s:line%d" % (current_id, number), ["(error: %s)" % e]))
        finally:
            for s in sessions.values():
                s.close()
        return steps

    def read_step(self, connection, expected):
        terminals = sum(1 for p in expected if is_terminal(p))
        wanted = terminals if terminals else len(expected)
        got = []
        seen = 0
        deadline = time.monotonic() + STEP_TIMEOUT
        while seen < wanted:
            line = connection.read_response_line(deadline)
            if line is None:
                got.append("(no more: %s)" % ("connection closed" if connection.eof else "timeout"))
                return got
            got.append(line)
            if not terminals or TERMINAL_LINE.match(line):
                seen += 1
        while True:
            line = connection.read_response_line(time.monotonic() + QUIET)
            if line is None:
                return got
            got.append(line)

    def capture(self, expected, got):
        """Named groups of the script's S: patterns set variables, from whichever reply line they match."""
        for pattern in expected:
            if "(?<" not in pattern:
                continue
            compiled = re.compile(java_to_python(substitute_loose(pattern, self.variables)), re.S)
            for line in got:
                match = compiled.fullmatch(line)
                if match:
                    self.variables.update({k: v for k, v in match.groupdict().items() if v is not None})
                    break


def substitute_loose(pattern, variables):
    return VARIABLE.sub(lambda m: re.escape(variables.get(m.group(1), m.group(0))), pattern)


# ---- normalisation ----------------------------------------------------------------------------------------------

STATUS_TEXT = re.compile(r"^(\S+ (?:OK|NO|BAD|BYE|PREAUTH))( \[[^\]]*\])?( .*)?$", re.S)
CODE_VALUES = [
    (re.compile(r"\[CAPABILITY [^\]]*\]"), "[CAPABILITY]"),
    (re.compile(r"UIDVALIDITY \d+"), "UIDVALIDITY _"),
    (re.compile(r"\[(APPENDUID|COPYUID) \d+"), r"[\1 _"),
    (re.compile(r"HIGHESTMODSEQ \d+"), "HIGHESTMODSEQ _"),
    (re.compile(r"MODSEQ \(\d+\)"), "MODSEQ (_)"),
    (re.compile(r"(\(| )MODSEQ \d+"), r"\1MODSEQ _"),
    (re.compile(r"\[MODIFIED [^\]]*\]"), "[MODIFIED _]"),
    (re.compile(r'INTERNALDATE "[^"]*"'), 'INTERNALDATE "_"'),
    (re.compile(r"(MAILBOXID|EMAILID|THREADID) \([^()\s]+\)"), r"\1 (_)"),  # RFC 8474 ids are the server's
]


def normalise_line(line):
    if line.startswith("* CAPABILITY "):
        return "* CAPABILITY _"
    if line.startswith("* ID "):
        return "* ID _"
    if line.startswith("+"):
        return "+ _"  # the text of a continuation request is the server's (and SASL challenges differ anyway)
    match = STATUS_TEXT.match(line)
    if match:
        line = match.group(1) + (match.group(2) or "")
    for pattern, replacement in CODE_VALUES:
        line = pattern.sub(replacement, line)
    if "\0" not in line:
        line = line.replace("~{", "{")  # RFC 3516 §4.2: literal8 is needed only for content with NUL
    attributes = re.match(r"^(\* (?:LIST|LSUB) )\(([^()]*)\)(.*)$", line, re.S)
    if attributes:  # the order of name attributes is open too
        line = attributes.group(1) + "(" + " ".join(sorted(attributes.group(2).split())) + ")" + attributes.group(3)
    if re.match(r"\* (LIST|LSUB|STATUS) ", line):
        # a mailbox name as an atom or as a quoted string is the same astring
        line = re.sub(r'"([A-Za-z0-9&][A-Za-z0-9&._/+-]*)"', r"\1", line)
    fetch = re.match(r"^(\* \d+ FETCH )\((.*)\)$", line, re.S)
    if fetch:
        items = fetch_items(fetch.group(2))
        if items is not None:
            line = fetch.group(1) + "(" + " ".join(sorted(items)) + ")"
    line = re.sub(r"(FLAGS|PERMANENTFLAGS) \(([^()]*)\)",
                  lambda m: m.group(1) + " (" + " ".join(sorted(m.group(2).split())) + ")", line)
    return line


def sorted_mailbox_lists(lines):
    """RFC 3501 §6.3.8 leaves the order of LIST (and LSUB) replies open: a run of them, each with the STATUS lines that
    follow it (RFC 5819), is compared as a sorted set."""
    out, run = [], []
    for line in lines + [None]:
        if line is not None and re.match(r"\* (LIST|LSUB) ", line):
            run.append([line])
        elif line is not None and run and line.startswith("* STATUS "):
            run[-1].append(line)
        else:
            for unit in sorted(run):
                out += unit
            run = []
            if line is not None:
                out.append(line)
    return out


def fetch_items(text):
    """The 'NAME value' pairs at the top level of a FETCH response, or None if it does not parse."""
    items = []
    i = 0
    try:
        while i < len(text):
            start = i
            i = skip_atom(text, i)
            if i >= len(text) or text[i] != " ":
                return None
            i = skip_value(text, i + 1)
            items.append(text[start:i])
            if i < len(text):
                if text[i] != " ":
                    return None
                i += 1
    except IndexError:
        return None
    return items


def skip_atom(text, i):
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == " " and depth == 0:
            return i
        i += 1
    return i


def skip_value(text, i):
    c = text[i]
    if c == '"':
        i += 1
        while text[i] != '"':
            i += 2 if text[i] == "\\" else 1
        return i + 1
    if c == "{" or (c == "~" and text[i + 1] == "{"):
        close = text.index("}", i)
        size = int(text[i + (2 if c == "~" else 1):close])
        # literals were inlined as text: count octets, not characters
        body = text[close + 3:].encode("utf-8", "surrogateescape")[:size].decode("utf-8", "surrogateescape")
        return close + 3 + len(body)
    if c == "(":
        depth = 0
        while True:
            c = text[i]
            if c == '"':
                i = skip_value(text, i)
                continue
            if c == "{":
                i = skip_value(text, i)
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
    while i < len(text) and text[i] not in " )":
        i += 1
    return i


def normalise(lines, unordered):
    out = [normalise_line(line) for line in lines]
    out = sorted_mailbox_lists(out)
    if unordered:
        sorted_out, run = [], []
        for line in out:
            if line.startswith("* "):
                run.append(line)
            else:
                sorted_out += sorted(run) + [line]
                run = []
        out = sorted_out + sorted(run)
    return out


# ---- comparison ------------------------------------------------------------------------------------------------

def read_allow(path):
    """Entries "SCRIPT STEP REASON" (STEP the tag of the step's first client line, or * for the whole script) and
    "line REGEX REASON" (a normalised reply line, of either server in any script, that is left out of the comparison;
    the regular expression must match the whole line and is written without spaces: \\s or \\x20) and
    "code CODE REASON" (a response code of a status reply, such as an optional RFC 5530 code, that is not compared)."""
    allowed, lines, codes = {}, [], []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                raise SystemExit("%s: every entry needs a script, a step and a reason: %s" % (path, line))
            if parts[0] == "line":
                lines.append((re.compile(parts[1]), parts[2], parts[1]))
            elif parts[0] == "code":
                codes.append((parts[1], parts[2]))
            else:
                allowed[(parts[0], parts[1])] = parts[2]
    return allowed, lines, codes


def without_ignored(lines, ignored, codes, used):
    kept = []
    for line in lines:
        hit = next((entry for entry in ignored if entry[0].fullmatch(line)), None)
        if hit:
            used.add(("line", hit[2]))
            continue
        for code, _ in codes:
            stripped = re.sub(r"^(\S+ (?:OK|NO|BAD)) \[%s(?: [^\]]*)?\]" % re.escape(code), r"\1", line)
            if stripped != line:
                used.add(("code", code))
                line = stripped
        kept.append(line)
    return kept


def script_users(number, domain):
    """Fresh accounts A and B for the script with this number (as ConversationTest gives every script), the same
    on both servers: imap-differential.sh creates them with these names and passwords."""
    variables = {}
    for who in ("A", "B"):
        user = "d%s%03d" % (who.lower(), number)
        variables[who] = user
        variables[who + "_PASS"] = "secret-" + user
        variables[who + "_ADDR"] = "%s@%s" % (user, domain)
        variables[who + "_PLAIN"] = base64.b64encode(("\0%s\0%s" % (user, "secret-" + user)).encode()).decode()
    return variables


def common_domain(pairs):
    return dict(v.split("=", 1) for v in pairs)["DOMAIN"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--left")
    parser.add_argument("--right")
    parser.add_argument("--var", action="append", default=[])
    parser.add_argument("--allow")
    parser.add_argument("--show", action="store_true", help="print both transcripts of every script")
    parser.add_argument("--users", type=int, help="print the CSV rows of the accounts for this many scripts")
    parser.add_argument("--first", type=int, default=1, help="the number of the first script's accounts")
    parser.add_argument("scripts", nargs="*")
    args = parser.parse_args()
    if args.users:
        for number in range(1, args.users + 1):
            for who in ("A", "B"):
                v = script_users(number, common_domain(args.var))
                print("%s,%s,%s,%s" % (v[who + "_ADDR"], who, v[who], v[who + "_PASS"]))
        return 0
    sys.stdout.reconfigure(errors="backslashreplace")
    common = dict(v.split("=", 1) for v in args.var)
    servers = []
    for spec in (args.left, args.right):
        name, rest = spec.split("=", 1)
        servers.append([name] + rest.split(":"))
    allowed, ignored, codes = read_allow(args.allow)
    used = set()
    passed = failed = allowed_count = 0
    for number, path in enumerate(args.scripts, args.first):
        script = path.rsplit("/", 1)[-1]
        variables = dict(common)
        variables.update(script_users(number, common["DOMAIN"]))
        results = []
        try:
            for server in servers:
                results.append(Player(server, variables).play(path))
        except Unplayable as e:
            key = (script, "*")
            if key in allowed:
                used.add(key)
                allowed_count += 1
                print("skip - %s: %s (allowed: %s)" % (script, e, allowed[key]))
            else:
                failed += 1
                print("FAIL - %s: not playable against both: %s" % (script, e))
            continue
        left, right = results
        differences = []
        for index in range(max(len(left), len(right))):
            a = left[index] if index < len(left) else ("(missing)", [])
            b = right[index] if index < len(right) else ("(missing)", [])
            if without_ignored(a[1], ignored, codes, used) != without_ignored(b[1], ignored, codes, used):
                differences.append((a[0], a[1], b[1]))
        if args.show:
            for (label, lines_a), (_, lines_b) in zip(left, right):
                print("  [%s] %s" % (script, label))
                for l in lines_a:
                    print("    %s> %s" % (servers[0][0][0], l.replace("\r\n", "\\r\\n")))
                for l in lines_b:
                    print("    %s> %s" % (servers[1][0][0], l.replace("\r\n", "\\r\\n")))
        unexplained = 0
        for label, a, b in differences:
            tag = label.split(":", 1)[1] if ":" in label else label
            key = next((k for k in ((script, tag), (script, "*")) if k in allowed), None)
            if key:
                used.add(key)
                allowed_count += 1
                continue
            unexplained += 1
            print("DIFF - %s step %s" % (script, label))
            for l in a:
                print("       %-8s %s" % (servers[0][0], l.replace("\r\n", "\\r\\n")[:300]))
            for l in b:
                print("       %-8s %s" % (servers[1][0], l.replace("\r\n", "\\r\\n")[:300]))
        if unexplained:
            failed += 1
        else:
            passed += 1
            print("ok   - %s (%d steps, %d allowed differences)" % (script, len(left), len(differences)))
    entries = set(allowed) | {("line", entry[2]) for entry in ignored} | {("code", code) for code, _ in codes}
    played = {path.rsplit("/", 1)[-1] for path in args.scripts}
    for key in sorted(k for k in entries - used if k[0] in played or k[0] in ("line", "code")):
        print("note - allow-list entry %s %s matched no difference" % key)
    print("imap-differential: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
