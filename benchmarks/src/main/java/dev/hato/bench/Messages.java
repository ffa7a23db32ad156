package dev.hato.bench;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test data shared by the benchmarks: a deterministic RFC 5322 message of an exact size, its SMTP DATA form, and
 * the pipelined envelope that precedes it; and a multipart Japanese message for the MIME parsing benchmarks.
 */
final class Messages {

    /** Octets per read handed to the DATA decoder: a typical socket read / TLS record batch. */
    static final int NETWORK_READ = 16 * 1024;

    /** Octets per chunk read from the store for POP3 RETR. */
    static final int STORE_CHUNK = 256 * 1024;

    /** Recipients in the pipelined envelope. */
    static final int RECIPIENTS = 20;

    static final String MAIL_FROM = "MAIL FROM:<someone@example.org> SIZE=10240 BODY=8BITMIME";

    static final String RCPT_TO = "RCPT TO:<user@example.org>";

    private static final String HEADER = String.join("\r\n",
            "Return-Path: <someone@example.org>",
            "Received: from client.example.org (client.example.org [192.0.2.10])",
            "\tby mx.example.net with ESMTP id 4f2a9c1e; Tue, 2 Jun 2026 09:15:02 +0000",
            "From: Some One <someone@example.org>",
            "To: A User <user@example.org>",
            "Subject: Quarterly figures and the notes from Tuesday's meeting",
            "Date: Tue, 2 Jun 2026 11:14:58 +0200",
            "Message-ID: <20260602091458.4f2a9c1e@client.example.org>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8; format=flowed",
            "Content-Transfer-Encoding: 8bit",
            "", "");

    private static final String[] WORDS = {
        "the", "figures", "for", "this", "quarter", "are", "attached", "and", "we", "will", "discuss", "them",
        "on", "Tuesday", "meeting", "notes", "follow", "below", "please", "review", "before", "Friday", "budget",
        "revenue", "grew", "by", "percent", "while", "costs", "stayed", "flat", "thanks", "everyone", "regards",
    };

    /** Fills out the last line to the exact size. */
    private static final String SIGNATURE = " Kind regards, the finance team.";

    /** Body line length before its CRLF, as RFC 5322 §2.1.1 recommends (78 with the line ending). */
    private static final int LINE = 76;

    private Messages() {
    }

    /**
     * A plain-text message of exactly {@code size} octets: a header, then body lines of about 76 characters, every
     * seventh starting with "." (a quoted ellipsis, as mail clients produce), so that dot-stuffing has work to do.
     * Ends with CRLF.
     */
    static byte[] message(int size) {
        byte[] header = HEADER.getBytes(StandardCharsets.US_ASCII);
        if (size < header.length + 4) {
            throw new IllegalArgumentException("size below the header's " + header.length + " octets: " + size);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.writeBytes(header);
        SplittableRandom random = new SplittableRandom(5322);
        int line = 0;
        while (out.size() < size) {
            int left = size - out.size();
            StringBuilder text = new StringBuilder(LINE);
            if (line % 7 == 3) {
                text.append("...");
            }
            while (text.length() < LINE - 10) {
                if (text.length() > 0 && text.charAt(text.length() - 1) != '.') {
                    text.append(' ');
                }
                text.append(WORDS[random.nextInt(WORDS.length)]);
            }
            text.append('.');
            // The last line takes up exactly what is left, padded or cut, still ending with CRLF.
            if (left - 2 <= text.length() + 20) {
                for (int k = 0; text.length() < left - 2; k++) {
                    text.append(SIGNATURE.charAt(k % SIGNATURE.length()));
                }
                text.setLength(left - 2);
            }
            out.writeBytes(text.toString().getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(new byte[] {'\r', '\n'});
            line++;
        }
        byte[] message = out.toByteArray();
        if (message.length != size) {
            throw new IllegalStateException("built " + message.length + " octets, wanted " + size);
        }
        return message;
    }

    /**
     * A multipart/alternative message of about {@code size} octets: ISO-2022-JP From and Subject as encoded words, a
     * base64 ISO-2022-JP text/plain part and a quoted-printable UTF-8 text/html part, so that a parser has charsets,
     * transfer encodings and a MIME tree to work through. Its text includes "本日の会議", its HTML "議事録 html".
     */
    static byte[] japanese(int size) {
        Charset jis = Charset.forName("ISO-2022-JP");
        StringBuilder text = new StringBuilder();
        while (text.length() * 3 < size) {
            text.append("本日の会議では、来年度の予算と新しいメールシステムへの移行について話し合いました。\r\n");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 4096);
        out.writeBytes(("From: =?ISO-2022-JP?B?" + Base64.getEncoder().encodeToString("山田太郎".getBytes(jis))
                + "?= <yamada@example.jp>\r\nTo: team@example.jp\r\nSubject: =?ISO-2022-JP?B?"
                + Base64.getEncoder().encodeToString("会議の議事録".getBytes(jis)) + "?=\r\n"
                + "Date: Mon, 2 Feb 2026 10:00:00 +0900\r\nMessage-ID: <m1@example.jp>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\n"
                + "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(Base64.getMimeEncoder().encode(text.toString().getBytes(jis)));
        out.writeBytes(("\r\n--b1\r\nContent-Type: text/html; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String html = "<html><body><p>議事録 html</p><p>" + text.substring(0, Math.min(text.length(), size / 12))
                + "</p></body></html>";
        byte[] utf8 = html.getBytes(StandardCharsets.UTF_8);
        StringBuilder qp = new StringBuilder();
        int column = 0;
        for (byte b : utf8) {
            int v = b & 0xFF;
            String piece = v >= 33 && v <= 126 && v != '=' ? String.valueOf((char) v) : String.format("=%02X", v);
            if (column + piece.length() > 73) {
                qp.append("=\r\n");
                column = 0;
            }
            qp.append(piece);
            column += piece.length();
        }
        out.writeBytes(qp.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes("\r\n--b1--\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /**
     * What a client sends after "354" for {@code message} (which ends with CRLF): dot-stuffed (RFC 5321 §4.5.2)
     * and followed by ".CRLF", so the content ends with CRLF.CRLF.
     */
    static byte[] smtpData(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + message.length / 32 + 3);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        out.writeBytes(new byte[] {'.', '\r', '\n'});
        return out.toByteArray();
    }

    /** The POP3 RETR body for {@code message} (which ends with CRLF): byte-stuffed (RFC 1939 §3), then ".CRLF". */
    static byte[] pop3Retr(byte[] message) {
        // The two stuffing rules agree for a message with CRLF line endings only.
        return smtpData(message);
    }

    /** {@code bytes} cut into heap buffers of {@code size} octets each (the last one shorter), positions at 0. */
    static ByteBuffer[] slices(byte[] bytes, int size) {
        List<ByteBuffer> slices = new ArrayList<>();
        for (int from = 0; from < bytes.length; from += size) {
            slices.add(ByteBuffer.wrap(bytes, from, Math.min(size, bytes.length - from)).slice());
        }
        return slices.toArray(new ByteBuffer[0]);
    }

    /** EHLO, MAIL FROM and {@value #RECIPIENTS} RCPT TO lines, as a pipelining client sends them in one write. */
    static byte[] envelope() {
        StringBuilder text = new StringBuilder();
        text.append("EHLO client.example.org\r\n").append(MAIL_FROM).append("\r\n");
        for (int k = 0; k < RECIPIENTS; k++) {
            text.append("RCPT TO:<user").append(k).append("@example.org>\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The lines of {@link #envelope()}. */
    static int envelopeLines() {
        return RECIPIENTS + 2;
    }

    /** Concatenates buffers (each read from its position) for checking a benchmark's output. */
    static byte[] concat(List<ByteBuffer> buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer buffer : buffers) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    /** Throws unless {@code actual} equals {@code expected}: a benchmark measuring wrong output measures nothing. */
    static void check(String what, byte[] expected, byte[] actual) {
        if (!Arrays.equals(expected, actual)) {
            throw new IllegalStateException(what + ": output differs from the expected " + expected.length
                    + " octets (got " + actual.length + ")");
        }
    }
}
