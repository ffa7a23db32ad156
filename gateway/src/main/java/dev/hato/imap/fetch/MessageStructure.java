package dev.hato.imap.fetch;

import dev.hato.message.MessagePart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What FETCH needs of a message without reading it again: the ready-formatted {@code ENVELOPE}, {@code BODYSTRUCTURE}
 * (with extension data) and {@code BODY} responses of RFC 3501 §7.4.2, and the offsets of every part.
 *
 * <p>The three responses are IMAP protocol text held one octet per {@code char} (ISO-8859-1), because they carry
 * header octets as they appear in the message, 8-bit included, inside literals.
 */
public record MessageStructure(String envelope, String bodyStructure, String body, MessagePart root) {

    private static final int FORMAT = 1;
    private static final int MAX_DECODED_PARTS = 1_000_000;

    public MessageStructure {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(bodyStructure, "bodyStructure");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(root, "root");
        requireOctets(envelope, "envelope");
        requireOctets(bodyStructure, "bodyStructure");
        requireOctets(body, "body");
    }

    private static void requireOctets(String text, String what) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                throw new IllegalArgumentException(what + " must hold octets (ISO-8859-1 chars) only");
            }
        }
    }

    /**
     * The structure of the same message with {@code octets} of header fields put in front of it: the top-level
     * header grows, every later offset moves.
     */
    public MessageStructure prepended(long octets) {
        if (octets < 0) {
            throw new IllegalArgumentException("octets must not be negative");
        }
        return new MessageStructure(envelope, bodyStructure, body, new MessagePart(0, root.bodyStart() + octets,
                root.end() + octets, root.kind(), shifted(root.children(), octets)));
    }

    private static List<MessagePart> shifted(List<MessagePart> parts, long octets) {
        List<MessagePart> moved = new ArrayList<>(parts.size());
        for (MessagePart part : parts) {
            moved.add(new MessagePart(part.headerStart() + octets, part.bodyStart() + octets, part.end() + octets,
                    part.kind(), shifted(part.children(), octets)));
        }
        return moved;
    }

    /**
     * A compact binary form for a {@code bytea} column: a format number, the three responses as length-prefixed
     * octets, then the part tree in pre-order with offsets as variable-length deltas.
     */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(
                envelope.length() + bodyStructure.length() + body.length() + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeVarLong(out, FORMAT);
            writeOctets(out, envelope);
            writeOctets(out, bodyStructure);
            writeOctets(out, body);
            writePart(out, root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The inverse of {@link #encode()}; rejects anything it did not write with an {@link IllegalArgumentException}. */
    public static MessageStructure decode(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            long format = readVarLong(in);
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown message structure format " + format);
            }
            String envelope = readOctets(in);
            String bodyStructure = readOctets(in);
            String body = readOctets(in);
            int[] budget = {MAX_DECODED_PARTS};
            MessagePart root = readPart(in, budget, 0);
            if (in.available() != 0) {
                throw new IllegalArgumentException("trailing octets after the message structure");
            }
            return new MessageStructure(envelope, bodyStructure, body, root);
        } catch (EOFException e) {
            throw new IllegalArgumentException("truncated message structure", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writePart(DataOutputStream out, MessagePart part) throws IOException {
        out.writeByte(part.kind().ordinal());
        writeVarLong(out, part.headerStart());
        writeVarLong(out, part.bodyStart() - part.headerStart());
        writeVarLong(out, part.end() - part.bodyStart());
        writeVarLong(out, part.children().size());
        for (MessagePart child : part.children()) {
            writePart(out, child);
        }
    }

    private static MessagePart readPart(DataInputStream in, int[] budget, int depth) throws IOException {
        if (--budget[0] < 0 || depth > 10_000) {
            throw new IllegalArgumentException("message structure has too many parts");
        }
        int kind = in.readUnsignedByte();
        if (kind >= MessagePart.Kind.values().length) {
            throw new IllegalArgumentException("unknown part kind " + kind);
        }
        long headerStart = readVarLong(in);
        long bodyStart = Math.addExact(headerStart, readVarLong(in));
        long end = Math.addExact(bodyStart, readVarLong(in));
        long count = readVarLong(in);
        if (count > budget[0]) {
            throw new IllegalArgumentException("message structure has too many parts");
        }
        List<MessagePart> children = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            children.add(readPart(in, budget, depth + 1));
        }
        return new MessagePart(headerStart, bodyStart, end, MessagePart.Kind.values()[kind], children);
    }

    private static void writeOctets(DataOutputStream out, String text) throws IOException {
        writeVarLong(out, text.length());
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String readOctets(DataInputStream in) throws IOException {
        long length = readVarLong(in);
        if (length > in.available()) {
            throw new IllegalArgumentException("truncated message structure");
        }
        byte[] octets = new byte[(int) length];
        in.readFully(octets);
        return new String(octets, StandardCharsets.ISO_8859_1);
    }

    private static void writeVarLong(DataOutputStream out, long value) throws IOException {
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            out.writeByte((int) ((rest & 0x7F) | 0x80));
            rest >>>= 7;
        }
        out.writeByte((int) rest);
    }

    private static long readVarLong(DataInputStream in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("malformed number in message structure");
    }
}
