package dev.hato.inbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/** IP address literals, parsed without ever asking DNS (InetAddress.getByName is only given checked literals). */
final class IpAddresses {

    private IpAddresses() { }

    static byte @Nullable [] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++) {
                char c = part.charAt(j);
                if (c < '0' || c > '9') {
                    return null;
                }
                value = value * 10 + c - '0';
            }
            if (value > 255) {
                return null;
            }
            address[i] = (byte) value;
        }
        return address;
    }

    static byte @Nullable [] ipv6(String text) {
        if (text.isEmpty() || text.length() > 45 || text.indexOf(':') < 0) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return null;
            }
        }
        try {
            byte[] address = InetAddress.getByName(text).getAddress(); // a checked literal: no lookup
            return address.length == 16 ? address : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Either family; an IPv4-mapped IPv6 address is IPv4 (RFC 7208 §5: "::ffff:" addresses are IPv4). */
    static byte @Nullable [] parse(String text) {
        byte[] four = ipv4(text);
        if (four != null) {
            return four;
        }
        if (text.isEmpty() || text.length() > 45 || text.indexOf(':') < 0) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return null;
            }
        }
        try {
            return InetAddress.getByName(text).getAddress(); // a checked literal: no lookup; ::ffff:a.b.c.d gives 4
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Whether the first {@code prefix} bits of the two addresses (same family) agree. */
    static boolean matches(byte[] a, byte[] b, int prefix) {
        if (a.length != b.length) {
            return false;
        }
        int bits = Math.min(prefix, a.length * 8);
        int whole = bits / 8;
        for (int i = 0; i < whole; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (a[whole] & mask) == (b[whole] & mask);
    }
}
