#!/usr/bin/env python3
"""Delivers the same messages to every account of an imap-load run, so that two servers hold the same data.

    imap-seed.py (--smtp | --lmtp) PORT ACCOUNTS.tsv MESSAGES [SEED]

ACCOUNTS.tsv has lines login<TAB>password<TAB>address (ImapLoad's format); each address gets MESSAGES messages, in
order, over one SMTP (Hato's MTA port) or LMTP (Dovecot) connection; 8 accounts are seeded at a time. The messages are a function of SEED and their number only:
plain text, 1 to about 24 KiB (most small, a few large, as in a real mailbox), every subject and body holding the
word "hatoload" that ImapLoad searches for, with other words drawn from a fixed list. Prints the count delivered.
"""
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


def main(argv):
    if len(argv) not in (5, 6) or argv[1] not in ("--smtp", "--lmtp"):
        sys.exit(__doc__)
    lmtp, port, accounts_file, count = argv[1] == "--lmtp", int(argv[2]), argv[3], int(argv[4])
    seed = argv[5] if len(argv) == 6 else "1"
    if not 1 <= count <= 100_000:
        sys.exit("MESSAGES must be 1..100000")
    addresses = []
    for line in open(accounts_file, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            fields = line.rstrip("\n").split("\t")
            addresses.append(fields[2] if len(fields) > 2 else fields[0])

    def deliver_all(item):
        account, address = item
        client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port, timeout=60)
        if lmtp:
            client.sock.settimeout(60)
        for n in range(1, count + 1):
            refused = client.sendmail("seed@remote.bench.example", [address], message(seed, account, n, address))
            if refused:
                raise RuntimeError(f"refused: {refused}")
        client.quit()
        return count

    with ThreadPoolExecutor(max_workers=8) as pool:
        delivered = sum(pool.map(deliver_all, enumerate(addresses)))
    print(delivered)


if __name__ == "__main__":
    main(sys.argv)
