package dev.hato.legacy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A ManageSieve client (RFC 5804) for reading people's scripts from an old server: TLS (implicit, STARTTLS, or none
 * on loopback), SASL PLAIN as the person or as a master user acting for them (the authorization identity), then
 * LISTSCRIPTS and GETSCRIPT. Blocking, with a timeout on every read; limits on what the server sends.
 */
public final class ManageSieveClient implements AutoCloseable {

    /** How the connection is protected. */
    public enum Tls { IMPLICIT, STARTTLS, NONE }

    /** One script the server lists. */
    public record Listed(String name, boolean active) { }

    /** The server refused a command; the message is its response line. */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_LITERAL = 4 * 1024 * 1024;

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final String host;

    private ManageSieveClient(Socket socket, String host) throws IOException {
        this.socket = socket;
        this.host = host;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects and reads the greeting; with STARTTLS, protects the connection before returning. */
    public static ManageSieveClient connect(String host, int port, Tls tls, SSLContext trust, Duration timeout)
            throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        plain.setSoTimeout((int) timeout.toMillis());
        ManageSieveClient client = new ManageSieveClient(
                tls == Tls.IMPLICIT ? LegacyTls.wrap(plain, host, port, trust) : plain, host);
        try {
            client.response(); // the capabilities of the greeting
            if (tls == Tls.STARTTLS) {
                client.command("STARTTLS");
                client.response();
                client.socket = LegacyTls.wrap(client.socket, host, port, trust);
                client.in = new BufferedInputStream(client.socket.getInputStream());
                client.out = client.socket.getOutputStream();
                client.response(); // RFC 5804 §2.2: the capabilities again, after the handshake
            }
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** SASL PLAIN (RFC 4616): as {@code user}, or as {@code login} acting for {@code user} (a master user). */
    public void authenticate(String user, @Nullable String login, String password) throws IOException {
        String message = (login == null ? "" : user) + "\0" + (login == null ? user : login) + "\0" + password;
        command("AUTHENTICATE \"PLAIN\" \"" + Base64.getEncoder().encodeToString(
                message.getBytes(StandardCharsets.UTF_8)) + "\"");
        response();
    }

    /** The person's scripts. */
    public List<Listed> list() throws IOException {
        command("LISTSCRIPTS");
        List<Listed> scripts = new ArrayList<>();
        for (List<String> line : response()) {
            if (!line.isEmpty()) {
                scripts.add(new Listed(line.get(0), line.size() > 1 && line.get(1).equalsIgnoreCase("ACTIVE")));
            }
        }
        return scripts;
    }

    /** The text of one script. */
    public String get(String name) throws IOException {
        command("GETSCRIPT " + quoted(name));
        List<List<String>> lines = response();
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
            throw new IOException("GETSCRIPT " + name + ": the server sent no script");
        }
        return lines.get(0).get(0);
    }

    @Override
    public void close() {
        try {
            command("LOGOUT");
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to keep
        }
    }

    private void command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * The lines of a response up to its OK (each line's strings: quoted strings, literals and atoms); a NO or BYE is
     * {@link Refused} with its text.
     */
    private List<List<String>> response() throws IOException {
        List<List<String>> lines = new ArrayList<>();
        while (true) {
            List<String> words = line();
            if (words.isEmpty()) {
                continue;
            }
            String first = words.get(0).toUpperCase(Locale.ROOT);
            if (first.equals("OK")) {
                return lines;
            }
            if (first.equals("NO") || first.equals("BYE")) {
                throw new Refused(host + ": " + String.join(" ", words));
            }
            lines.add(words);
        }
    }

    /** One response line: its words, literals ({n} and {n+}) read whole. */
    private List<String> line() throws IOException {
        List<String> words = new ArrayList<>();
        int c = read();
        while (true) {
            while (c == ' ') {
                c = read();
            }
            if (c == '\r') {
                c = read();
            }
            if (c == '\n') {
                return words;
            }
            if (c == '"') {
                ByteArrayOutputStream word = new ByteArrayOutputStream();
                for (c = read(); c != '"'; c = read()) {
                    if (c == '\\') {
                        c = read();
                    }
                    if (c == '\r' || c == '\n' || word.size() > MAX_LINE) {
                        throw new IOException(host + ": a quoted string does not end");
                    }
                    word.write(c);
                }
                words.add(word.toString(StandardCharsets.UTF_8));
                c = read();
            } else if (c == '{') {
                StringBuilder digits = new StringBuilder();
                for (c = read(); c != '}'; c = read()) {
                    if (c != '+' && (c < '0' || c > '9' || digits.length() > 9)) {
                        throw new IOException(host + ": not a literal");
                    }
                    if (c != '+') {
                        digits.append((char) c);
                    }
                }
                long size = digits.length() == 0 ? -1 : Long.parseLong(digits.toString());
                if (size < 0 || size > MAX_LITERAL) {
                    throw new IOException(host + ": a literal of " + size + " octets");
                }
                if (read() != '\r' || read() != '\n') {
                    throw new IOException(host + ": a literal's size is not followed by CRLF");
                }
                words.add(new String(in.readNBytes((int) size), StandardCharsets.UTF_8));
                c = read();
            } else {
                StringBuilder atom = new StringBuilder();
                while (c != ' ' && c != '\r' && c != '\n') {
                    if (atom.length() > MAX_LINE) {
                        throw new IOException(host + ": a line too long");
                    }
                    atom.append((char) c);
                    c = read();
                }
                words.add(atom.toString());
            }
        }
    }

    private int read() throws IOException {
        int c = in.read();
        if (c < 0) {
            throw new IOException(host + " closed the connection");
        }
        return c;
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
