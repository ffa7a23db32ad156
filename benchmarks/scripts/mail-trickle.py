#!/usr/bin/env python3
"""Background mail for webmail-load.sh: delivers messages at a fixed rate for a fixed time, so that a webmail
measurement runs while the server also takes mail.

    mail-trickle.py (--smtp | --lmtp) PORT ADDRESS RATE SECONDS [SIZE]

RATE messages a second (over 2 connections, each paced to RATE / 2 on the clock: one that falls behind sends at
once until it has caught up, never more than RATE in all) of about SIZE octets (10240) of plain text to ADDRESS,
until SECONDS have passed or SIGTERM comes (webmail-load.sh stops it when its measurement ends). Prints "delivered
refused seconds"; exits 1 when anything was refused or a connection failed.
"""
import signal
import smtplib
import sys
import threading
import time


def message(address, n, size):
    line = "background load line of the webmail benchmark, not read by anyone "
    body = "\r\n".join(line.strip() for _ in range(max(1, size // (len(line) + 1))))
    return (f"From: Trickle <trickle@remote.bench.example>\r\nTo: <{address}>\r\n"
            f"Subject: background {n}\r\nMessage-ID: <trickle-{n}-{time.time_ns()}@remote.bench.example>\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{body}\r\n").encode()


def main(argv):
    if len(argv) not in (6, 7) or argv[1] not in ("--smtp", "--lmtp"):
        sys.exit(__doc__)
    lmtp, port, address = argv[1] == "--lmtp", int(argv[2]), argv[3]
    rate, seconds = float(argv[4]), float(argv[5])
    size = int(argv[6]) if len(argv) == 7 else 10240
    if not (0 < rate <= 1000 and 0 < seconds <= 3600 and 100 <= size <= 10_000_000):
        sys.exit("RATE 0..1000, SECONDS 0..3600, SIZE 100..10000000")
    connections = 2
    start = time.monotonic()
    counts = {"delivered": 0, "refused": 0, "failed": 0}
    lock = threading.Lock()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def run(k):
        try:
            client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port, timeout=60)
            if lmtp:
                client.sock.settimeout(60)
            i = 0
            while True:
                due = start + i * connections / rate
                now = time.monotonic()
                if due - start >= seconds or now - start >= seconds or stop.is_set():
                    break
                if due > now and stop.wait(due - now):
                    break
                refused = client.sendmail("trickle@remote.bench.example", [address],
                                          message(address, i * connections + k, size))
                with lock:
                    counts["refused" if refused else "delivered"] += 1
                i += 1
            client.quit()
        except (smtplib.SMTPException, OSError) as e:
            print(f"mail-trickle: {e}", file=sys.stderr)
            with lock:
                counts["failed"] += 1

    threads = [threading.Thread(target=run, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.2)  # the main thread stays responsive to SIGTERM
    print(counts["delivered"], counts["refused"], f"{time.monotonic() - start:.1f}")
    sys.exit(1 if counts["refused"] or counts["failed"] else 0)


if __name__ == "__main__":
    main(sys.argv)
