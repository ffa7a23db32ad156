package dev.hato.migration;

import dev.hato.imap.wire.ModifiedUtf7;
import dev.hato.legacy.LegacyTls;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A blocking IMAP client (RFC 3501, RFC 9051) for reading an old server's mailboxes during a migration: folder tree
 * and subscriptions, each folder's UIDVALIDITY and UIDNEXT, and its messages from a UID on, with flags and internal
 * date, each message's octets streamed as they arrive. Responses are parsed from the stream (quoted strings,
 * literals, nested lists), so a literal is never taken for a line. For the command line, never an event loop.
 */
final class ImapSource implements AutoCloseable {

    /** A string or a list item longer than this (but a message body) is an error: names and flags are short. */
    private static final int MAX_TOKEN = 64 * 1024;
    private static final Pattern CODE_NUMBER = Pattern.compile("\\[(UIDVALIDITY|UIDNEXT|HIGHESTMODSEQ) (\\d+)]",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern LITERAL_AT_END = Pattern.compile("\\{(\\d{1,12})\\+?}$");
    /** RFC 3501 date-time as APPEND takes it: a two-digit day. */
    private static final DateTimeFormatter APPEND_DATE = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z",
            Locale.ENGLISH);
    private static final DateTimeFormatter INTERNALDATE = DateTimeFormatter.ofPattern("d-MMM-yyyy HH:mm:ss Z",
            Locale.ENGLISH);

    /**
     * A folder of the old server: its name on the wire, in Hato's form, its LIST attributes and the server's
     * hierarchy delimiter (null: flat).
     */
    record Folder(String wireName, String name, Set<String> attributes, @Nullable String delimiter) {
        boolean selectable() {
            return attributes.stream().noneMatch(a -> a.equalsIgnoreCase("\\Noselect")
                    || a.equalsIgnoreCase("\\NonExistent"));
        }
    }

    /**
     * What EXAMINE said of a folder; {@code highestModseq} 0 when the server does not keep mod-sequences for it (no
     * CONDSTORE, or NOMODSEQ: RFC 7162 §3.1.2).
     */
    record Status(long uidValidity, long uidNext, long exists, long highestModseq) { }

    /** Where fetched messages go. */
    interface Messages {
        /** A message with this UID starts: where to write its octets. */
        IncomingMessage open(long uid);

        /** Its octets, flags and date are all in. */
        void close(IncomingMessage message, long uid);
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int tags;
    private int pushedBack = -1;
    private @Nullable Set<String> capabilities;

    private ImapSource(Socket socket, long bytesPerSecond) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(bytesPerSecond > 0
                ? new ThrottledInput(socket.getInputStream(), bytesPerSecond) : socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    /**
     * Connects to {@code host:port} (TLS at once when {@code implicitTls}, else STARTTLS when {@code startTls}; the
     * certificate checked against {@code trust} and the host name) and logs in with SASL PLAIN: {@code authzid}
     * acting through {@code authcid}'s password (a master user), or {@code authcid} alone ({@code authzid} empty).
     * {@code bytesPerSecond} above 0: what this connection reads from the server, at most, on average.
     */
    static ImapSource connect(String host, int port, boolean implicitTls, boolean startTls, SSLContext trust,
                              Duration timeout, String authzid, String authcid, String password, long bytesPerSecond)
            throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(host, port), Math.toIntExact(timeout.toMillis()));
        plain.setSoTimeout(Math.toIntExact(timeout.toMillis()));
        Socket socket = implicitTls ? LegacyTls.wrap(plain, host, port, trust) : plain;
        ImapSource source = new ImapSource(socket, bytesPerSecond);
        try {
            String greeting = source.line();
            if (!greeting.regionMatches(true, 0, "* OK", 0, 4)) {
                throw new IOException("unexpected greeting: " + greeting);
            }
            if (startTls && !implicitTls) {
                source.command("STARTTLS", null);
                ImapSource secured = new ImapSource(LegacyTls.wrap(socket, host, port, trust), bytesPerSecond);
                secured.tags = source.tags;
                source = secured;
            }
            String plainResponse = Base64.getEncoder().encodeToString((authzid + "\0" + authcid + "\0" + password)
                    .getBytes(StandardCharsets.UTF_8));
            source.authenticate(plainResponse);
            return source;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void authenticate(String response) throws IOException {
        String tag = nextTag();
        send(tag + " AUTHENTICATE PLAIN\r\n");
        String line = line();
        if (!line.startsWith("+")) {
            throw new IOException("AUTHENTICATE PLAIN refused: " + line);
        }
        send(response + "\r\n");
        readUntilTagged(tag, null);
    }

    /** Every folder (LIST "" "*"), in the server's order. */
    List<Folder> list() throws IOException {
        List<Folder> folders = new ArrayList<>();
        command("LIST \"\" \"*\"", (kind, parser) -> {
            if (kind.equalsIgnoreCase("LIST")) {
                folders.add(parser.listed());
            } else {
                parser.skipLine();
            }
        });
        return folders;
    }

    /** The names of the subscribed folders (LSUB), in Hato's form. */
    Set<String> subscribed() throws IOException {
        Set<String> names = new LinkedHashSet<>();
        command("LSUB \"\" \"*\"", (kind, parser) -> {
            if (kind.equalsIgnoreCase("LSUB")) {
                names.add(parser.listed().name());
            } else {
                parser.skipLine();
            }
        });
        return names;
    }

    /** Whether the server announces CONDSTORE (RFC 7162), asked once after login. */
    boolean condstore() throws IOException {
        if (capabilities == null) {
            Set<String> found = new LinkedHashSet<>();
            command("CAPABILITY", (kind, parser) -> {
                String rest = parser.restOfLine();
                if (kind.equalsIgnoreCase("CAPABILITY")) {
                    for (String word : rest.trim().split(" +")) {
                        found.add(word.toUpperCase(Locale.ROOT));
                    }
                }
            });
            capabilities = found;
        }
        return capabilities.contains("CONDSTORE") || capabilities.contains("QRESYNC");
    }

    /**
     * Opens {@code folder} read-only (EXAMINE, so nothing is marked \Seen or loses \Recent there); with CONDSTORE
     * on a server that has it, so that its HIGHESTMODSEQ is reported.
     */
    Status examine(Folder folder) throws IOException {
        long[] values = {0, 0, 0, 0};
        command("EXAMINE " + quoted(folder.wireName()) + (condstore() ? " (CONDSTORE)" : ""), (kind, parser) -> {
            String rest = parser.restOfLine();
            if (kind.equalsIgnoreCase("OK")) {
                Matcher code = CODE_NUMBER.matcher(rest);
                if (code.find()) {
                    String name = code.group(1).toUpperCase(Locale.ROOT);
                    values[name.equals("UIDVALIDITY") ? 0 : name.equals("UIDNEXT") ? 1 : 3] =
                            Long.parseLong(code.group(2));
                }
            } else if (rest.trim().equalsIgnoreCase("EXISTS") && kind.chars().allMatch(Character::isDigit)) {
                values[2] = Long.parseLong(kind);
            }
        });
        if (values[0] == 0) {
            throw new IOException("the server gave no UIDVALIDITY for " + folder.name());
        }
        return new Status(values[0], values[1], values[2], values[3]);
    }

    /** The UIDs of the examined folder's messages up to {@code toUid} (UID SEARCH: no message data). */
    Set<Long> uids(long toUid) throws IOException {
        Set<Long> uids = new HashSet<>();
        command("UID SEARCH UID 1:" + toUid, (kind, parser) -> {
            String rest = parser.restOfLine();
            if (kind.equalsIgnoreCase("SEARCH")) {
                for (String word : rest.trim().split(" +")) {
                    if (!word.isEmpty() && word.chars().allMatch(Character::isDigit)) {
                        uids.add(Long.parseLong(word));
                    }
                }
            }
        });
        return uids;
    }

    /** Fetches the messages of the examined folder with UIDs from {@code fromUid} on, in UID order. */
    void fetch(long fromUid, Messages messages) throws IOException {
        command("UID FETCH " + fromUid + ":* (UID FLAGS INTERNALDATE BODY.PEEK[])", (kind, parser) -> {
            String next = parser.atom();
            if (!next.equalsIgnoreCase("FETCH")) {
                parser.skipLine();
                return;
            }
            parser.fetched(fromUid, messages);
        });
    }

    /** The SHA-256 of every message of {@code folder}, by UID, each computed as its octets stream in. */
    Map<Long, byte[]> digests(Folder folder) throws IOException {
        Map<Long, byte[]> digests = new LinkedHashMap<>();
        if (examine(folder).exists() == 0) {
            return digests;
        }
        command("UID FETCH 1:* (UID BODY.PEEK[])", (kind, parser) -> {
            if (!parser.atom().equalsIgnoreCase("FETCH")) {
                parser.skipLine();
                return;
            }
            long[] uid = {-1};
            byte[][] digest = {null};
            parser.fetchItems(item -> {
                switch (item) {
                    case "UID" -> uid[0] = Long.parseLong(parser.atom());
                    case "BODY[]" -> digest[0] = parser.literalDigest();
                    default -> parser.skipValue();
                }
            });
            if (uid[0] > 0 && digest[0] != null) {
                digests.put(uid[0], digest[0]);
            }
        });
        return digests;
    }

    /** The SHA-256 of a literal's octets (a quoted string's, or none for NIL), read as they arrive. */
    private byte @Nullable [] literalDigest() throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        if (peek() != '{') {
            String text = string();
            return text == null ? null : sha256.digest(text.getBytes(StandardCharsets.UTF_8));
        }
        long left = literalSize();
        byte[] buffer = new byte[64 * 1024];
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("the connection ended inside a message");
            }
            sha256.update(buffer, 0, n);
            left -= n;
        }
        return sha256.digest();
    }

    /**
     * The flags of the examined folder's messages with UIDs up to {@code toUid}, by UID (\\Recent left out); with
     * {@code changedSince} above 0, only of those whose flags changed after that mod-sequence (RFC 7162 §3.1.4).
     */
    Map<Long, Set<String>> flags(long toUid, long changedSince) throws IOException {
        Map<Long, Set<String>> flags = new LinkedHashMap<>();
        command("UID FETCH 1:" + toUid + " (UID FLAGS)" + (changedSince > 0 ? " (CHANGEDSINCE " + changedSince + ")"
                : ""), (kind, parser) -> {
            if (!parser.atom().equalsIgnoreCase("FETCH")) {
                parser.skipLine();
                return;
            }
            long[] uid = {-1};
            Set<String> set = new LinkedHashSet<>();
            parser.fetchItems(item -> {
                switch (item) {
                    case "UID" -> uid[0] = Long.parseLong(parser.atom());
                    case "FLAGS" -> parser.flagList(set);
                    default -> parser.skipValue();
                }
            });
            if (uid[0] > 0 && uid[0] <= toUid) {
                flags.put(uid[0], set);
            }
        });
        return flags;
    }

    /** A parenthesized list of flags, \\Recent left out. */
    private void flagList(Set<String> flags) throws IOException {
        expect('(');
        while (peek() != ')') {
            if (peek() == ' ') {
                read();
            } else {
                String flag = atom();
                if (!flag.equalsIgnoreCase("\\Recent")) {
                    flags.add(flag);
                }
            }
        }
        read();
    }

    /** Each message of {@code folder} in sequence order: its UID and RFC822.SIZE. */
    List<long[]> uidsAndSizes(Folder folder) throws IOException {
        List<long[]> messages = new ArrayList<>();
        if (examine(folder).exists() == 0) {
            return messages;
        }
        command("UID FETCH 1:* (UID RFC822.SIZE)", (kind, parser) -> {
            if (!parser.atom().equalsIgnoreCase("FETCH")) {
                parser.skipLine();
                return;
            }
            long[] message = {-1, -1};
            parser.fetchItems(item -> {
                switch (item) {
                    case "UID" -> message[0] = Long.parseLong(parser.atom());
                    case "RFC822.SIZE" -> message[1] = Long.parseLong(parser.atom());
                    default -> parser.skipValue();
                }
            });
            messages.add(message);
        });
        return messages;
    }

    /** Creates a folder named {@code name} (Hato's form) with the server's {@code delimiter}. */
    Folder create(String name, @Nullable String delimiter) throws IOException {
        String wire = ModifiedUtf7.encode(delimiter == null ? name : name.replace("/", delimiter));
        command("CREATE " + quoted(wire), null);
        return new Folder(wire, name, Set.of(), delimiter);
    }

    /** Whether the examined folder holds a message with this Message-ID (SEARCH HEADER, RFC 3501 §6.4.4). */
    boolean holds(String messageId) throws IOException {
        boolean[] found = {false};
        command("UID SEARCH HEADER Message-ID " + quoted(messageId), (kind, parser) -> {
            String rest = parser.restOfLine();
            if (kind.equalsIgnoreCase("SEARCH") && !rest.isBlank()) {
                found[0] = true;
            }
        });
        return found[0];
    }

    /**
     * Appends a message to {@code folder} with its flags and internal date (APPEND, a synchronizing literal of
     * {@code size} octets written by {@code octets}).
     */
    void append(Folder folder, Set<String> flags, Instant internalDate, long size, OctetWriter octets)
            throws IOException {
        String tag = nextTag();
        String flagList = String.join(" ", flags.stream().filter(f -> !f.equalsIgnoreCase("\\Recent")).toList());
        send(tag + " APPEND " + quoted(folder.wireName()) + " (" + flagList + ") \""
                + APPEND_DATE.format(internalDate.atZone(java.time.ZoneOffset.UTC)) + "\" {" + size + "}\r\n");
        String go = line();
        if (!go.startsWith("+")) {
            throw new IOException("APPEND refused: " + go);
        }
        octets.write(out);
        send("\r\n");
        readUntilTagged(tag, null);
    }

    /** Writes a message's octets to the server. */
    interface OctetWriter {
        void write(OutputStream out) throws IOException;
    }

    @Override
    public void close() {
        try {
            command("LOGOUT", null);
        } catch (IOException | RuntimeException e) {
            // the connection goes either way
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    /** An untagged response after its {@code *}: {@code kind} is its first word (or number). */
    private interface Untagged {
        void accept(String kind, ImapSource parser) throws IOException;
    }

    private void command(String command, @Nullable Untagged untagged) throws IOException {
        String tag = nextTag();
        send(tag + " " + command + "\r\n");
        readUntilTagged(tag, untagged);
    }

    private void readUntilTagged(String tag, @Nullable Untagged untagged) throws IOException {
        while (true) {
            String first = atom();
            if (first.equals("*")) {
                expect(' ');
                String kind = atom();
                if (peek() == ' ') {
                    read();
                }
                if (untagged == null) {
                    skipLine();
                } else {
                    untagged.accept(kind, this);
                }
            } else if (first.equals(tag)) {
                String result = restOfLine();
                if (!result.regionMatches(true, 0, " OK", 0, 3)) {
                    throw new IOException("the old server refused: " + tag + result);
                }
                return;
            } else {
                skipLine(); // a continuation or another tag: nothing this client waits for
            }
        }
    }

    /** The rest of a LIST or LSUB response: (attributes) delimiter name. */
    private Folder listed() throws IOException {
        expect('(');
        Set<String> attributes = new LinkedHashSet<>();
        while (peek() != ')') {
            if (peek() == ' ') {
                read();
                continue;
            }
            attributes.add(atom());
        }
        read();
        expect(' ');
        String delimiter = string();
        expect(' ');
        String wire = string();
        skipLine();
        if (wire == null) {
            throw new IOException("a folder without a name");
        }
        String name = ModifiedUtf7.decode(wire);
        if (delimiter != null && !delimiter.equals("/")) {
            name = name.replace("/", "_").replace(delimiter, "/");
        }
        if (name.equalsIgnoreCase("INBOX")) {
            name = "INBOX";
        }
        return new Folder(wire, name, attributes, delimiter);
    }

    /** The rest of {@code * n FETCH (...)}: the message streamed to {@code messages}. */
    private void fetched(long fromUid, Messages messages) throws IOException {
        long[] uids = {-1};
        Set<String> flags = new LinkedHashSet<>();
        Instant[] dates = {null};
        IncomingMessage[] opened = {null};
        fetchItems(item -> {
            switch (item) {
                case "UID" -> uids[0] = Long.parseLong(atom());
                case "FLAGS" -> flagList(flags);
                case "INTERNALDATE" -> dates[0] = internalDate(string());
                case "BODY[]" -> {
                    if (uids[0] < 0) {
                        throw new IOException("the server sent BODY[] before UID");
                    }
                    opened[0] = messages.open(uids[0]);
                    body(opened[0]);
                }
                default -> skipValue();
            }
        });
        long uid = uids[0];
        Instant date = dates[0];
        IncomingMessage message = opened[0];
        if (message == null || uid < fromUid) {
            // n:* includes the last message even when its UID is below n (RFC 3501 §6.4.8): not new
            if (message != null) {
                message.discard();
            }
            return;
        }
        flags.forEach(message::flag);
        if (date != null) {
            message.internalDate(date);
        }
        messages.close(message, uid);
    }

    /** Reads one FETCH item's value, its name given (upper case), or skips it. */
    private interface FetchItem {
        void read(String name) throws IOException;
    }

    /**
     * The rest of {@code * n FETCH (name value ...)} after FETCH: each item's name to {@code item}, which reads its
     * value; then the end of the line.
     */
    private void fetchItems(FetchItem item) throws IOException {
        expect(' ');
        expect('(');
        while (peek() != ')') {
            if (peek() == ' ') {
                read();
                continue;
            }
            String name = atom().toUpperCase(Locale.ROOT);
            expect(' ');
            item.read(name);
        }
        read();
        skipLine();
    }

    private void body(IncomingMessage message) throws IOException {
        if (peek() != '{') {
            String text = string();
            byte[] bytes = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
            message.write(bytes, 0, bytes.length);
            return;
        }
        long size = literalSize();
        byte[] buffer = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("the connection ended inside a message");
            }
            message.write(buffer, 0, n);
            left -= n;
        }
        message.flush();
    }

    private static @Nullable Instant internalDate(@Nullable String text) {
        if (text == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(text.trim(), INTERNALDATE).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private String nextTag() {
        return "C" + (++tags);
    }

    private void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private int peek() throws IOException {
        if (pushedBack < 0) {
            pushedBack = in.read();
            if (pushedBack < 0) {
                throw new IOException("the old server closed the connection");
            }
        }
        return pushedBack;
    }

    private int read() throws IOException {
        int c = peek();
        pushedBack = -1;
        return c;
    }

    private void expect(char wanted) throws IOException {
        int c = read();
        if (c != wanted) {
            throw new IOException("unexpected '" + (char) c + "' where '" + wanted + "' belongs");
        }
    }

    /** An atom, a number, a tag, or an item name such as BODY[] (up to a space, parenthesis or line end). */
    private String atom() throws IOException {
        StringBuilder atom = new StringBuilder();
        while (true) {
            int c = peek();
            if (c == ' ' || c == '(' || c == ')' || c == '\r' || c == '\n') {
                break;
            }
            atom.append((char) read());
            if (atom.length() > MAX_TOKEN) {
                throw new IOException("an atom longer than " + MAX_TOKEN + " octets");
            }
        }
        return atom.toString();
    }

    /** A quoted string, a literal, or NIL (null). */
    private @Nullable String string() throws IOException {
        int c = peek();
        if (c == '"') {
            read();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            while (true) {
                int b = read();
                if (b == '"') {
                    break;
                }
                if (b == '\\') {
                    b = read();
                }
                bytes.write(b);
                if (bytes.size() > MAX_TOKEN) {
                    throw new IOException("a string longer than " + MAX_TOKEN + " octets");
                }
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }
        if (c == '{') {
            long size = literalSize();
            if (size > MAX_TOKEN) {
                throw new IOException("a literal of " + size + " octets where a short string belongs");
            }
            return new String(in.readNBytes((int) size), StandardCharsets.UTF_8);
        }
        String atom = atom();
        return atom.equalsIgnoreCase("NIL") ? null : atom;
    }

    /** {@code {n}} and its CRLF; the literal's octets follow. */
    private long literalSize() throws IOException {
        expect('{');
        StringBuilder digits = new StringBuilder();
        while (peek() != '}') {
            digits.append((char) read());
            if (digits.length() > 12) {
                throw new IOException("a literal size too large");
            }
        }
        read();
        expect('\r');
        expect('\n');
        try {
            return Long.parseLong(digits.toString().replace("+", ""));
        } catch (NumberFormatException e) {
            throw new IOException("a literal size that is not a number: " + digits);
        }
    }

    private void skipValue() throws IOException {
        int c = peek();
        if (c == '(') {
            read();
            while (peek() != ')') {
                if (peek() == ' ') {
                    read();
                } else {
                    skipValue();
                }
            }
            read();
        } else if (c == '"' || c == '{') {
            if (c == '{') {
                long size = literalSize();
                in.skipNBytes(size);
            } else {
                string();
            }
        } else {
            atom();
        }
    }

    /** The rest of the line, without CRLF; a literal that ends a line is skipped and the line goes on after it. */
    private String restOfLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int c = read();
            if (c == '\r' && peek() == '\n') {
                read();
                Matcher literal = LITERAL_AT_END.matcher(line);
                if (!literal.find()) {
                    return line.toString();
                }
                in.skipNBytes(Long.parseLong(literal.group(1)));
                line.setLength(literal.start());
                continue;
            }
            line.append((char) c);
            if (line.length() > MAX_TOKEN) {
                throw new IOException("a line longer than " + MAX_TOKEN + " octets");
            }
        }
    }

    private void skipLine() throws IOException {
        restOfLine();
    }

    private String line() throws IOException {
        return restOfLine();
    }
}
