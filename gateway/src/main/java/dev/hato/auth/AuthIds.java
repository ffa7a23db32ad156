package dev.hato.auth;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Auth IDs in the seed's style: the local part of the address, a dash and random characters
 * ({@code abcd.e.fg-x7q2}). An auth ID is what people log in with; it never contains '@' so it cannot be mistaken
 * for an address.
 */
public final class AuthIds {

    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"; // no l/1/o/0: read over the phone
    private static final int RANDOM_LENGTH = 4;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AuthIds() { }

    public static String generate(String address) {
        String local = address.substring(0, Math.max(0, address.indexOf('@'))).toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9._-]", "");
        if (local.isEmpty() || !Character.isLetterOrDigit(local.charAt(0))) {
            local = "u" + local;
        }
        if (local.length() > 50) {
            local = local.substring(0, 50);
        }
        StringBuilder id = new StringBuilder(local).append('-');
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }

    public static String normalize(String authId) {
        return authId.trim().toLowerCase(Locale.ROOT);
    }

    public static boolean isValid(String authId) {
        return VALID.matcher(authId).matches();
    }
}
