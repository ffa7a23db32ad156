#!/usr/bin/env python3
"""Realistic SMTP load (issue 13, item 3): messages of mixed sizes (log-normal, 1 to 200 KiB), plain text, text and
HTML alternatives, and attachments (random, so incompressible, as real attachments are), in English and Japanese
(UTF-8 and ISO-2022-JP), generated from a fixed seed before the clock starts, then sent over SESSIONS concurrent SMTP
connections. smtp-source sends one repeated line, which PostgreSQL compresses to almost nothing; this load does not.

    realistic_load.py --port 2537 --to load@hato.bench.example --messages 2000 --sessions 20

Prints one line: messages, seconds, msg/s, total octets and the size quartiles. Every message must get a 250."""
import argparse
import base64
import email.header
import random
import smtplib
import statistics
import threading
import time

ENGLISH = ("meeting budget report schedule project review deadline server mail lunch agenda minutes draft "
           "proposal invoice travel seminar lecture thesis committee library research grant").split()
JAPANESE = ("会議 予算 報告書 日程 打ち合わせ 締め切り サーバー メール 東京 大阪 お疲れ様です よろしくお願いします "
            "研究室 論文 講義 図書館 委員会 出張 申請 承認").split()


def text(rng, octets, japanese):
    words, size = [], 0
    vocabulary = JAPANESE if japanese else ENGLISH
    while size < octets:
        word = rng.choice(vocabulary) + (str(rng.randrange(1000)) if rng.random() < 0.1 else "")
        words.append(word)
        size += len(word.encode("utf-8")) + 1
    lines, line = [], []
    for word in words:
        line.append(word)
        if len(line) >= (12 if japanese else 14):
            lines.append(("" if japanese else " ").join(line))
            line = []
    lines.append(("" if japanese else " ").join(line))
    return "\r\n".join(lines) + "\r\n"


def encoded_body(body, charset):
    if charset == "iso-2022-jp":
        return body.encode("iso2022_jp", errors="replace"), "7bit"
    return body.encode("utf-8"), "8bit"


def message(rng, number, to):
    size = int(min(200 * 1024, max(1024, rng.lognormvariate(9.0, 1.0))))  # median about 8 KiB
    japanese = rng.random() < 0.5
    charset = "iso-2022-jp" if japanese and rng.random() < 0.5 else "utf-8"
    subject_words = " ".join(rng.choice(JAPANESE if japanese else ENGLISH) for _ in range(4))
    subject = email.header.Header(subject_words, charset).encode(linesep="\r\n") if japanese else subject_words
    head = (f"From: Sender {number % 97} <sender{number % 97}@client.bench.example>\r\nTo: <{to}>\r\n"
            f"Subject: {subject}\r\nDate: Sun, 06 Dec 2026 04:00:00 +0900\r\n"
            f"Message-ID: <{number}.{rng.randrange(1 << 30)}@client.bench.example>\r\nMIME-Version: 1.0\r\n")
    kind = rng.random()
    if kind < 0.6:  # plain text
        body, cte = encoded_body(text(rng, size, japanese), charset)
        return (head + f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
                ).encode() + body
    boundary = f"=_b{number}"
    plain, cte = encoded_body(text(rng, min(size, 4096), japanese), charset)
    parts = [(f"--{boundary}\r\nContent-Type: text/plain; charset={charset}\r\n"
              f"Content-Transfer-Encoding: {cte}\r\n\r\n").encode() + plain]
    if kind < 0.85:  # text and HTML alternatives
        html = "<html><body><p>" + text(rng, max(size - len(plain), 512), japanese).replace("\r\n", "</p>\r\n<p>") \
               + "</p></body></html>\r\n"
        parts.append((f"\r\n--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + html.encode("utf-8"))
        subtype = "alternative"
    else:  # text and an attachment
        attachment = base64.encodebytes(rng.randbytes(max(size - len(plain), 512) * 3 // 4)).replace(b"\n", b"\r\n")
        name = email.header.Header("資料.pdf" if japanese else "report.pdf", "utf-8").encode(linesep="\r\n")
        parts.append((f"\r\n--{boundary}\r\nContent-Type: application/pdf; name=\"{name}\"\r\n"
                      f"Content-Disposition: attachment; filename=\"{name}\"\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n").encode() + attachment)
        subtype = "mixed"
    return (head + f"Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\n").encode() \
        + b"".join(parts) + f"\r\n--{boundary}--\r\n".encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--to", required=True)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=300, help="seconds for the whole run")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    messages = [message(rng, n, args.to) for n in range(args.messages)]
    queue = list(range(len(messages)))
    lock = threading.Lock()
    failures = []
    deadline = time.monotonic() + args.timeout

    def session():
        try:
            with smtplib.SMTP(args.host, args.port, timeout=60) as smtp:
                smtp.ehlo("client.bench.example")
                while time.monotonic() < deadline:
                    with lock:
                        if not queue:
                            return
                        n = queue.pop()
                    smtp.sendmail("sender@client.bench.example", [args.to], messages[n], ["BODY=8BITMIME"])
        except Exception as e:  # reported below; the run fails
            failures.append(repr(e))

    start = time.monotonic()
    threads = [threading.Thread(target=session) for _ in range(args.sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - start
    if failures or queue:
        raise SystemExit(f"realistic_load: {len(failures)} sessions failed ({failures[:3]}), {len(queue)} unsent")
    sizes = sorted(len(m) for m in messages)
    q = statistics.quantiles(sizes, n=4)
    print(f"{len(messages)} messages in {seconds:.1f} s, {len(messages) / seconds:.0f} msg/s, "
          f"{sum(sizes)} octets, sizes q1/median/q3 {q[0]:.0f}/{q[1]:.0f}/{q[2]:.0f}")


if __name__ == "__main__":
    main()
