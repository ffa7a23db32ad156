package dev.hato.web.dav;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.springframework.web.util.UriUtils;

/**
 * Where a request points in the DAV tree: the context ({@code /dav/}), the principal ({@code /dav/principal/}), the
 * address book home ({@code /dav/addressbooks/}), a book ({@code /dav/addressbooks/BOOK/}) or a contact in it
 * ({@code /dav/addressbooks/BOOK/NAME}). Segments are percent-decoded here and encoded again in {@link #href()}.
 */
record DavPath(Kind kind, String book, String name) {

    enum Kind { CONTEXT, PRINCIPAL, HOME, BOOK, CONTACT }

    static final String CONTEXT = "/dav/";
    static final String PRINCIPAL = "/dav/principal/";
    static final String HOME = "/dav/addressbooks/";

    static DavPath book(String book) {
        return new DavPath(Kind.BOOK, book, "");
    }

    static DavPath contact(String book, String name) {
        return new DavPath(Kind.CONTACT, book, name);
    }

    /** The path of a request or an href (an absolute URL's path is taken); null when it is outside the tree. */
    static @Nullable DavPath parse(String pathOrUrl) {
        String path = pathOrUrl;
        if (path.startsWith("http://") || path.startsWith("https://")) {
            try {
                path = URI.create(path).getRawPath();
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        if (path == null || !(path + "/").startsWith(CONTEXT)) {
            return null;
        }
        String[] parts = path.substring(CONTEXT.length() - 1).split("/", -1);
        // parts[0] is empty (the leading slash); a trailing slash gives an empty last part.
        int n = parts.length;
        while (n > 1 && parts[n - 1].isEmpty()) {
            n--;
        }
        if (n == 1) {
            return new DavPath(Kind.CONTEXT, "", "");
        }
        String first = parts[1];
        if (n == 2 && first.equals("principal")) {
            return new DavPath(Kind.PRINCIPAL, "", "");
        }
        if (!first.equals("addressbooks") || n > 4) {
            return null;
        }
        if (n == 2) {
            return new DavPath(Kind.HOME, "", "");
        }
        String book = decode(parts[2]);
        return n == 3 ? book(book) : contact(book, decode(parts[3]));
    }

    private static String decode(String segment) {
        return UriUtils.decode(segment, StandardCharsets.UTF_8);
    }

    String href() {
        switch (kind) {
            case CONTEXT:
                return CONTEXT;
            case PRINCIPAL:
                return PRINCIPAL;
            case HOME:
                return HOME;
            case BOOK:
                return HOME + encode(book) + "/";
            default:
                return HOME + encode(book) + "/" + encode(name);
        }
    }

    private static String encode(String segment) {
        return UriUtils.encodePathSegment(segment, StandardCharsets.UTF_8);
    }
}
