#!/usr/bin/env python3
"""Delivers the same messages to every account of an imap-load run, so that two servers hold the same data.

    imap-seed.py (--smtp | --lmtp) PORT ACCOUNTS.tsv MESSAGES [SEED [CONNECTIONS]]
    imap-seed.py --maildir 'DIR/%u/Maildir' ACCOUNTS.tsv MESSAGES [SEED]

ACCOUNTS.tsv has lines login<TAB>password<TAB>address (ImapLoad's format); each address gets MESSAGES messages, in
order, over one SMTP (Hato's MTA port) or LMTP (Dovecot) connection; 8 accounts are seeded at a time. With
CONNECTIONS > 1 (webmail-load.sh, for one 100,000-message account) each address gets its messages over that many
connections at once, connection k sending numbers k, k + CONNECTIONS, ...: the same messages, in an arrival order
that is nearly, not exactly, their numbers' order. --maildir writes the same messages as files straight into each
login's (%u) Maildir cur/ directory, unread, named so that Dovecot gives them UIDs in their numbers' order when it
next syncs the folder (webmail-load.sh: LMTP into one folder slows down as the folder grows). Files are created as
the running user; the caller sets their owner. The messages are a function of SEED and their number only:
plain text, 1 to about 24 KiB (most small, a few large, as in a real mailbox), every subject and body holding the
word "hatoload" that ImapLoad searches for, with other words drawn from a fixed list. Prints the count delivered.
"""
import os
import random
import smtplib
import sys
from concurrent.futures import ThreadPoolExecutor

WORDS = ("meeting report budget draft lecture seminar thesis library campus renewal account password schedule "
         "project review minutes agenda invoice travel exam grade course laboratory server network backup").split()


def message(seed, account, n, address):
    rnd = random.Random(f"{seed}/{n}")  # the same n-th message for every account and server
    size = int(min(24 * 1024, rnd.lognormvariate(7.6, 0.9)))
    subject = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 6)))
    lines, length = [], 0
    while length < size:
        line = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(6, 11)))
        lines.append(line)
        length += len(line) + 2
    lines.insert(rnd.randrange(len(lines) + 1), "hatoload marker line")
    body = "\r\n".join(lines)
    return (f"From: Sender {n % 17} <sender{n % 17}@remote.bench.example>\r\n"
            f"To: <{address}>\r\n"
            f"Subject: hatoload {subject} {n}\r\n"
            f"Date: Sun, 29 Nov 2026 {n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d} +0000\r\n"
            f"Message-ID: <seed-{seed}-{n}@remote.bench.example>\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{body}\r\n").encode()


def accounts(accounts_file):
    for line in open(accounts_file, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            fields = line.rstrip("\n").split("\t")
            yield fields[0], (fields[2] if len(fields) > 2 else fields[0])


def write_maildirs(argv):
    template, accounts_file, count = argv[2], argv[3], int(argv[4])
    seed = argv[5] if len(argv) >= 6 else "1"
    if not 1 <= count <= 100_000 or "%u" not in template:
        sys.exit("MESSAGES must be 1..100000; DIR must hold %u")
    written = 0
    base = 1_700_000_000
    for login, address in accounts(accounts_file):
        cur = os.path.join(template.replace("%u", login), "cur")
        os.makedirs(cur, exist_ok=True)
        for sub in ("new", "tmp"):
            os.makedirs(os.path.join(os.path.dirname(cur), sub), exist_ok=True)
        for n in range(1, count + 1):
            wire = message(seed, 0, n, address)
            data = wire.replace(b"\r\n", b"\n")  # Maildir files have LF line ends, as Dovecot's LMTP writes them
            # Maildir name: time.unique.host,S=file size,W=size with CRLF (Dovecot's hints) :2, no flags (unread).
            name = f"{base + n}.M{n}P1.seed,S={len(data)},W={len(wire)}:2,"
            with open(os.path.join(cur, name), "wb") as f:
                f.write(data)
            written += 1
    print(written)


def main(argv):
    if len(argv) not in (5, 6, 7) or argv[1] not in ("--smtp", "--lmtp", "--maildir"):
        sys.exit(__doc__)
    if argv[1] == "--maildir":
        return write_maildirs(argv)
    lmtp, port, accounts_file, count = argv[1] == "--lmtp", int(argv[2]), argv[3], int(argv[4])
    seed = argv[5] if len(argv) >= 6 else "1"
    connections = int(argv[6]) if len(argv) == 7 else 1
    if not 1 <= count <= 100_000:
        sys.exit("MESSAGES must be 1..100000")
    if not 1 <= connections <= 16:
        sys.exit("CONNECTIONS must be 1..16")
    addresses = []
    for line in open(accounts_file, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            fields = line.rstrip("\n").split("\t")
            addresses.append(fields[2] if len(fields) > 2 else fields[0])

    def deliver_all(item):
        account, address, first = item
        client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port, timeout=60)
        if lmtp:
            client.sock.settimeout(60)
        sent = 0
        for n in range(first, count + 1, connections):
            refused = client.sendmail("seed@remote.bench.example", [address], message(seed, account, n, address))
            if refused:
                raise RuntimeError(f"refused: {refused}")
            sent += 1
        client.quit()
        return sent

    work = [(account, address, first) for account, address in enumerate(addresses)
            for first in range(1, min(connections, count) + 1)]
    with ThreadPoolExecutor(max_workers=max(8, connections)) as pool:
        delivered = sum(pool.map(deliver_all, work))
    print(delivered)


if __name__ == "__main__":
    main(sys.argv)
