package dev.hato.migration;

import dev.hato.delivery.MessageSpool;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One message being read from an old mailbox: its octets go, with CRLF line ends (RFC 5322 §2.1; Maildir and mbox
 * files have LF), into a {@link MessageSpool} as they are read, in chunks; its flags and dates are gathered by the
 * reader. A message that grows past the size limit is refused at once and its octets are no longer kept, so a
 * huge message costs neither memory nor disk.
 */
final class IncomingMessage {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final int CHUNK = 64 * 1024;

    private final String origin;
    private final long maxOctets;
    private @Nullable MessageSpool spool;
    private final Set<String> flags = new LinkedHashSet<>();
    private @Nullable Instant internalDate;
    private @Nullable Instant fallbackDate;
    private @Nullable String refusal;
    private byte[] pending = new byte[CHUNK];
    private int pendingLength;
    private long octets;

    IncomingMessage(String origin, long maxOctets, MessageSpool spool) {
        this.origin = origin;
        this.maxOctets = maxOctets;
        this.spool = spool;
    }

    /** Where the message came from, for the report: a file name, or an mbox file and line. */
    String origin() {
        return origin;
    }

    /** Writes {@code length} octets of a line and, when it {@code ended}, CRLF. */
    void line(byte[] bytes, int from, int length, boolean ended) {
        write(bytes, from, length);
        if (ended) {
            write(CRLF, 0, 2);
        }
    }

    void write(byte[] bytes, int from, int length) {
        octets += length;
        if (refusal != null) {
            return;
        }
        if (octets > maxOctets) {
            refuse("larger than the largest message the server accepts (" + maxOctets + " octets)");
            return;
        }
        int at = from;
        int left = length;
        while (left > 0) {
            int n = Math.min(left, pending.length - pendingLength);
            System.arraycopy(bytes, at, pending, pendingLength, n);
            pendingLength += n;
            at += n;
            left -= n;
            if (pendingLength == pending.length) {
                flush();
            }
        }
    }

    /** Hands the octets written so far to the spool (which keeps the array: a fresh one is taken). */
    void flush() {
        MessageSpool target = spool;
        if (pendingLength == 0 || target == null) {
            return;
        }
        target.append(ByteBuffer.wrap(Arrays.copyOf(pending, pendingLength))).block();
        pendingLength = 0;
    }

    /** The most octets the message may have. */
    long limit() {
        return maxOctets;
    }

    /** Octets written (CRLF line ends included), also those of a refused message. */
    long octets() {
        return octets;
    }

    void flag(String flag) {
        flags.add(flag);
    }

    Set<String> flags() {
        return Set.copyOf(flags);
    }

    /** The date the old server received the message (its IMAP INTERNALDATE). */
    void internalDate(Instant date) {
        internalDate = date;
    }

    /** The date to take when no {@link #internalDate} is known and the message has no Date field. */
    void fallbackDate(Instant date) {
        fallbackDate = date;
    }

    @Nullable Instant internalDate() {
        return internalDate;
    }

    @Nullable Instant fallbackDate() {
        return fallbackDate;
    }

    /** Refuses the message; its octets are dropped and no more are kept. The first reason stays. */
    void refuse(String reason) {
        if (refusal == null) {
            refusal = reason;
            pending = new byte[0];
            pendingLength = 0;
            discard();
        }
    }

    @Nullable String refusal() {
        return refusal;
    }

    /** The spool, with every octet written handed over; null once refused. */
    @Nullable MessageSpool spool() {
        flush();
        return spool;
    }

    /**
     * The message's spool when it may be stored: not refused, not empty, within the MIME limits. Otherwise null, the
     * refusal written to {@code report} (as APPEND refuses such a message: RFC 5530 LIMIT) and the spool freed.
     */
    @Nullable MessageSpool accepted(ImportReport.Folder report) {
        MessageSpool target = spool();
        String reason = refusal();
        if (reason == null && octets() == 0) {
            reason = "empty (zero octets)";
        }
        if (reason != null || target == null) {
            discard();
            report.refuse(origin(), reason == null ? "refused" : reason);
            return null;
        }
        dev.hato.message.LimitBreach breach = target.breach();
        if (breach != null) {
            target.discard();
            report.refuse(origin(), "beyond the server's MIME limits: " + breach.text());
            return null;
        }
        return target;
    }

    /** Frees the spool's memory and file. */
    void discard() {
        MessageSpool held = spool;
        spool = null;
        if (held != null) {
            held.discard();
        }
    }
}
