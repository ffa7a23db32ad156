package dev.hato.message;

import java.io.ByteArrayOutputStream;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Undoes a Content-Transfer-Encoding (RFC 2045 §6) chunk by chunk: state carries over between calls, so a body is
 * decoded as it streams, whatever the chunk boundaries. One instance per part.
 */
public abstract class TransferDecoder {

    /**
     * The decoder for a mechanism, or null when it is not one of RFC 2045's (then the content cannot be decoded: RFC
     * 3516 §4.3 UNKNOWN-CTE). A missing mechanism is 7bit (RFC 2045 §6.1).
     */
    public static @Nullable TransferDecoder forMechanism(@Nullable String mechanism) {
        String name = mechanism == null ? "7bit" : mechanism.toLowerCase(Locale.ROOT);
        return switch (name) {
            case "7bit", "8bit", "binary" -> new Identity();
            case "base64" -> new Base64();
            case "quoted-printable" -> new QuotedPrintable();
            default -> null;
        };
    }

    /**
     * The decoder for a part's Content-Transfer-Encoding field; for a mechanism that is not one of RFC 2045's, the
     * octets as they are (RFC 2045 §6.4 says to treat the part as opaque data).
     */
    public static TransferDecoder forPart(MimeEntity part) {
        String field = part.field("content-transfer-encoding");
        TransferDecoder decoder = forMechanism(field == null ? null : MimeHeaderValue.firstToken(field));
        return decoder != null ? decoder : new Identity();
    }

    /** Decodes {@code length} octets of {@code in} from {@code offset}, appending what they give to {@code out}. */
    public abstract void decode(byte[] in, int offset, int length, ByteArrayOutputStream out);

    /** Ends the input: whatever is still held is written out. */
    public void finish(ByteArrayOutputStream out) {
    }

    /** Whether this decoder changes the octets at all (the identity for 7bit, 8bit and binary does not). */
    public boolean transforms() {
        return true;
    }

    /** The value of a base64 alphabet character (RFC 2045 §6.8 Table 1), -1 for anything else. */
    static int base64Value(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '+' ? 62 : c == '/' ? 63 : -1;
    }

    private static final class Identity extends TransferDecoder {
        @Override
        public void decode(byte[] in, int offset, int length, ByteArrayOutputStream out) {
            out.write(in, offset, length);
        }

        @Override
        public boolean transforms() {
            return false;
        }
    }

    /** RFC 2045 §6.8: characters outside the alphabet are ignored; "=" padding ends a group. */
    private static final class Base64 extends TransferDecoder {
        private int bits;
        private int count;

        @Override
        public void decode(byte[] in, int offset, int length, ByteArrayOutputStream out) {
            for (int i = offset; i < offset + length; i++) {
                int value = base64Value((char) (in[i] & 0xFF));
                if (value < 0) {
                    if (in[i] == '=') {
                        bits = 0;
                        count = 0;
                    }
                    continue;
                }
                bits = (bits << 6 | value) & 0xFFFFFF;
                count += 6;
                if (count >= 8) {
                    count -= 8;
                    out.write(bits >> count & 0xFF);
                }
            }
        }
    }

    /**
     * RFC 2045 §6.7: {@code =XX} is an octet, {@code =} at a line end is a soft line break, and white space at the
     * end of a line is transport padding to delete. A malformed {@code =} is kept as it is (§6.7 note 1 suggests
     * it). White space is held until it is known not to end a line, at most a line's worth.
     */
    private static final class QuotedPrintable extends TransferDecoder {
        private static final int MAX_HELD_SPACE = 1000;
        private final ByteArrayOutputStream space = new ByteArrayOutputStream();
        private int state; // 0 plain, 1 after "=", 2 after "=X", 3 "=" then white space, 4 soft break before LF
        private int firstHex;

        @Override
        public void decode(byte[] in, int offset, int length, ByteArrayOutputStream out) {
            for (int i = offset; i < offset + length; i++) {
                octet(in[i] & 0xFF, out);
            }
        }

        private void octet(int b, ByteArrayOutputStream out) {
            switch (state) {
                case 1 -> {
                    if (Character.digit(b, 16) >= 0) {
                        firstHex = b;
                        state = 2;
                    } else if (b == '\r') {
                        state = 4;
                    } else if (b == '\n') {
                        state = 0;
                    } else if (b == ' ' || b == '\t') {
                        state = 3;
                    } else {
                        out.write('=');
                        state = 0;
                        plain(b, out);
                    }
                }
                case 2 -> {
                    state = 0;
                    if (Character.digit(b, 16) >= 0) {
                        out.write(Character.digit(firstHex, 16) << 4 | Character.digit(b, 16));
                    } else {
                        out.write('=');
                        out.write(firstHex);
                        plain(b, out);
                    }
                }
                case 3 -> {
                    if (b == '\r') {
                        state = 4;
                    } else if (b == '\n') {
                        state = 0;
                    } else if (b != ' ' && b != '\t') {
                        state = 0;
                        plain(b, out);
                    }
                }
                case 4 -> {
                    state = 0;
                    if (b != '\n') {
                        plain(b, out);
                    }
                }
                default -> plain(b, out);
            }
        }

        private void plain(int b, ByteArrayOutputStream out) {
            if (b == ' ' || b == '\t') {
                if (space.size() >= MAX_HELD_SPACE) {
                    out.writeBytes(space.toByteArray());
                    space.reset();
                }
                space.write(b);
                return;
            }
            if (b == '\r' || b == '\n') {
                space.reset();
                out.write(b);
                return;
            }
            if (space.size() > 0) {
                out.writeBytes(space.toByteArray());
                space.reset();
            }
            if (b == '=') {
                state = 1;
            } else {
                out.write(b);
            }
        }

        @Override
        public void finish(ByteArrayOutputStream out) {
            if (state == 1) {
                out.write('=');
            } else if (state == 2) {
                out.write('=');
                out.write(firstHex);
            }
            state = 0;
            space.reset();
        }
    }
}
