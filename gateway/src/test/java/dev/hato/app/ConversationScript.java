package dev.hato.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A protocol conversation (STYLE.md §7) in {@code src/test/resources/conversations/<protocol>/*.conv}:
 * <pre>
 * LISTENER: smtp            the listener the next SESSION connects to (smtp, submission, submissions, pop3, pop3s,
 *                           imap, imaps)
 * SESSION: 2 pop3s          switch to connection "2" (opened on first use, on the given or current listener)
 * C: EHLO x                 send the line plus CRLF; \r \n \t \\ are escapes, \xFF one octet as it is (the rest
 *                           of the line is sent as UTF-8: \xC3 alone is malformed UTF-8)
 * C~: DATA\r\nabc           send without appending CRLF
 * C*: 1048576 x             send "x" 1048576 times, then CRLF
 * S: 250-.*                 the next reply line must match this regular expression; a named group
 *                           (?<UV>\d+) sets the variable ${UV} for the lines after it
 * UNORDERED                 the S: lines up to END match the next as many reply lines in any order (untagged
 * END                       IMAP responses whose order the RFC leaves open)
 * STARTTLS                  the client starts TLS (after the server's go-ahead)
 * CLOSED                    the server must have closed the connection
 * DROP                      the client drops the connection without a goodbye
 * PAUSE: 300                wait 300 ms (for effects of a dropped connection that the server applies later)
 * </pre>
 * A script fails when a session ends with server output it did not read (a reply it forgot to expect).
 * ${A}, ${A_ADDR}, ${A_PASS}, ${A_PLAIN} (base64 SASL PLAIN) and the same for B are fresh accounts per run;
 * ${DOMAIN} and ${HOST} are the test server's.
 */
final class ConversationScript {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)}");

    private final Path file;
    private final List<String> lines;

    private ConversationScript(Path file, List<String> lines) {
        this.file = file;
        this.lines = lines;
    }

    static Stream<ConversationScript> all(String protocol) {
        Path directory = Path.of("src/test/resources/conversations", protocol);
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.toString().endsWith(".conv")).sorted().toList().stream()
                    .map(ConversationScript::read);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ConversationScript read(Path file) {
        try {
            return new ConversationScript(file, Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    interface Connector {
        Transport connect(String listener) throws Exception;
    }

    void play(Connector connector, Map<String, String> variables) throws Exception {
        Map<String, Transport> sessions = new LinkedHashMap<>();
        Map<String, String> listeners = new HashMap<>();
        String listener = null;
        Transport current = null;
        try {
            for (int number = 1; number <= lines.size(); number++) {
                String raw = lines.get(number - 1);
                String line = substitute(raw, variables);
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String where = file.getFileName() + ":" + number + ": ";
                if (line.startsWith("LISTENER: ")) {
                    listener = line.substring(10).trim();
                    if (current == null) {
                        current = connector.connect(listener);
                        sessions.put("1", current);
                        listeners.put("1", listener);
                    }
                } else if (line.startsWith("SESSION: ")) {
                    String[] parts = line.substring(9).trim().split("\\s+");
                    String id = parts[0];
                    String on = parts.length > 1 ? parts[1] : listener;
                    current = sessions.get(id);
                    if (current == null) {
                        if (on == null) {
                            throw new AssertionError(where + "no LISTENER for session " + id);
                        }
                        current = connector.connect(on);
                        sessions.put(id, current);
                        listeners.put(id, on);
                    }
                } else if (line.startsWith("PAUSE: ")) {
                    Thread.sleep(Long.parseLong(line.substring(7).trim()));
                } else if (current == null) {
                    throw new AssertionError(where + "start with LISTENER:");
                } else if (line.startsWith("C: ")) {
                    current.send(octets(line.substring(3) + "\\r\\n"));
                } else if (line.startsWith("C~: ")) {
                    current.send(octets(line.substring(4)));
                } else if (line.startsWith("C*: ")) {
                    String[] parts = line.substring(4).split(" ", 2);
                    current.send((parts[1].repeat(Integer.parseInt(parts[0])) + "\r\n")
                            .getBytes(StandardCharsets.UTF_8));
                } else if (line.startsWith("S: ")) {
                    String expected = line.substring(3);
                    String actual;
                    try {
                        actual = current.readLine();
                    } catch (Exception | AssertionError e) {
                        throw new AssertionError(where + "expected a line matching /" + expected + "/ but " + e, e);
                    }
                    Matcher matcher = Pattern.compile(expected, Pattern.DOTALL).matcher(actual);
                    if (!matcher.matches()) {
                        throw new AssertionError(where + "expected /" + expected + "/ but got: " + actual);
                    }
                    capture(expected, matcher, variables);
                } else if (line.equals("UNORDERED")) {
                    List<String> expected = new ArrayList<>();
                    int start = number;
                    while (true) {
                        if (number >= lines.size()) {
                            throw new AssertionError(where + "UNORDERED without END");
                        }
                        String inner = substitute(lines.get(number++), variables);
                        if (inner.equals("END")) {
                            break;
                        }
                        if (!inner.startsWith("S: ")) {
                            throw new AssertionError(file.getFileName() + ":" + number
                                    + ": only S: lines belong in an UNORDERED block");
                        }
                        expected.add(inner.substring(3));
                    }
                    List<String> actual = new ArrayList<>();
                    for (int k = 0; k < expected.size(); k++) {
                        try {
                            actual.add(current.readLine());
                        } catch (Exception | AssertionError e) {
                            throw new AssertionError(where + "expected " + expected.size() + " lines (block from line "
                                    + start + ") but got " + actual + " and then " + e, e);
                        }
                    }
                    List<String> unmatched = new ArrayList<>(actual);
                    for (String pattern : expected) {
                        Pattern compiled = Pattern.compile(pattern, Pattern.DOTALL);
                        Matcher[] found = new Matcher[1];
                        if (!unmatched.removeIf(new java.util.function.Predicate<String>() {
                            private boolean done;

                            @Override
                            public boolean test(String candidate) {
                                Matcher candidateMatcher = compiled.matcher(candidate);
                                if (!done && candidateMatcher.matches()) {
                                    found[0] = candidateMatcher;
                                    done = true;
                                    return true;
                                }
                                return false;
                            }
                        })) {
                            throw new AssertionError(where + "no line matching /" + pattern + "/ among " + actual);
                        }
                        capture(pattern, found[0], variables);
                    }
                } else if (line.equals("STARTTLS")) {
                    current.startTls();
                } else if (line.equals("DROP")) {
                    current.close();
                    sessions.values().remove(current);
                    current = null;
                } else if (line.equals("CLOSED")) {
                    if (!current.closedByServer()) {
                        throw new AssertionError(where + "expected the server to close the connection");
                    }
                } else {
                    throw new AssertionError(where + "unknown directive: " + raw);
                }
            }
            for (Map.Entry<String, Transport> session : sessions.entrySet()) {
                String rest = session.getValue().unread();
                if (!rest.isEmpty()) {
                    throw new AssertionError(file.getFileName() + ": session " + session.getKey()
                            + " ended with server output the script did not expect: " + rest);
                }
            }
        } finally {
            sessions.values().forEach(Transport::close);
        }
    }

    private static final Pattern GROUP = Pattern.compile("\\(\\?<([A-Za-z][A-Za-z0-9]*)>");

    /** Named groups of a matched S: line become variables for the lines after it. */
    private static void capture(String expected, Matcher matcher, Map<String, String> variables) {
        Matcher names = GROUP.matcher(expected);
        while (names.find()) {
            String value = matcher.group(names.group(1));
            if (value != null) {
                variables.put(names.group(1), value);
            }
        }
    }

    private static String substitute(String line, Map<String, String> variables) {
        Matcher matcher = VARIABLE.matcher(line);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = variables.get(matcher.group(1));
            if (value == null) {
                throw new IllegalArgumentException("unknown variable ${" + matcher.group(1) + "}");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return matcher.appendTail(out).toString();
    }

    /** The octets to send for a C: line: UTF-8, with escapes; {@code \xNN} is one raw octet. */
    private static byte[] octets(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length() + 8);
        int plain = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\\' && i + 3 < text.length() && text.charAt(i + 1) == 'x') {
                out.writeBytes(unescape(text.substring(plain, i)).getBytes(StandardCharsets.UTF_8));
                out.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
                i += 3;
                plain = i + 1;
            } else if (text.charAt(i) == '\\') {
                i++; // an escaped character: never the start of \x
            }
        }
        out.writeBytes(unescape(text.substring(plain)).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char next = text.charAt(++i);
                switch (next) {
                    case 'r' -> out.append('\r');
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case '0' -> out.append('\0');
                    default -> out.append(next);
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return file.getParent().getFileName() + "/" + file.getFileName();
    }
}
