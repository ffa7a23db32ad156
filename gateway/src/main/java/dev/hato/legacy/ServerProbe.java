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
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * Checks a server of an old mail system before a migration relies on it: it connects, protects the connection as
 * configured (implicit TLS or STARTTLS, the certificate checked against the trusted ones and the host's name), reads
 * the capabilities, and, when given credentials, logs in with SASL PLAIN (RFC 4616) — as a master user acting for a
 * person, the way the migration will. Blocking, with a timeout on every read and a limit on every line; for the
 * command line.
 */
public final class ServerProbe {

    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_LINES = 200;

    /** How to protect the connection. */
    public enum Tls { IMPLICIT, STARTTLS, NONE }

    /** Who logs in: {@code user} itself, or {@code login} (a master user) acting for {@code user}. */
    public record Credentials(String user, @Nullable String login, String password) {
        String plain() {
            String message = (login == null ? "" : user) + "\0" + (login == null ? user : login) + "\0" + password;
            return Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** What the probe found: {@code ok} when everything asked for worked; {@code detail} says what, or what not. */
    public record Result(boolean ok, String detail) { }

    private final SSLContext trust;
    private final Duration timeout;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final List<String> found = new ArrayList<>();

    private ServerProbe(Socket socket, SSLContext trust, Duration timeout) throws IOException {
        this.socket = socket;
        this.trust = trust;
        this.timeout = timeout;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** An IMAP server (RFC 9051/3501): greeting, STARTTLS, CAPABILITY, AUTHENTICATE PLAIN, LOGOUT. */
    public static Result imap(String host, int port, Tls tls, SSLContext trust, Duration timeout,
                              @Nullable Credentials credentials) {
        return run(host, port, tls, trust, timeout, probe -> {
            probe.expect(probe.line(), "* OK", "greeting");
            if (tls == Tls.STARTTLS) {
                probe.send("a1 STARTTLS");
                probe.imapTagged("a1");
                probe.startTls(host, port);
            }
            probe.send("a2 CAPABILITY");
            List<String> lines = probe.imapTagged("a2");
            String capabilities = lines.stream().filter(l -> l.toUpperCase(Locale.ROOT).startsWith("* CAPABILITY"))
                    .findFirst().orElse("").toUpperCase(Locale.ROOT);
            if (credentials != null) {
                if (!capabilities.contains("AUTH=PLAIN")) {
                    throw new IOException("the server offers no AUTH=PLAIN here (" + capabilities.strip() + ")");
                }
                probe.send("a3 AUTHENTICATE PLAIN");
                String go = probe.line();
                probe.expect(go, "+", "the SASL continuation");
                probe.send(credentials.plain());
                probe.imapTagged("a3");
                probe.found.add(loggedIn(credentials));
            }
            probe.send("a4 LOGOUT");
        });
    }

    /** A POP3 server (RFC 1939, 2449, 2595, 5034): greeting, STLS, CAPA, AUTH PLAIN, QUIT. */
    public static Result pop3(String host, int port, Tls tls, SSLContext trust, Duration timeout,
                              @Nullable Credentials credentials) {
        return run(host, port, tls, trust, timeout, probe -> {
            probe.expect(probe.line(), "+OK", "greeting");
            if (tls == Tls.STARTTLS) {
                probe.send("STLS");
                probe.expect(probe.line(), "+OK", "STLS");
                probe.startTls(host, port);
            }
            probe.send("CAPA");
            probe.expect(probe.line(), "+OK", "CAPA");
            boolean sasl = false;
            int lines = 0;
            for (String line = probe.line(); !line.equals("."); line = probe.line()) {
                sasl |= line.toUpperCase(Locale.ROOT).matches("SASL\\b.*\\bPLAIN\\b.*");
                if (++lines > MAX_LINES) {
                    throw new IOException("more than " + MAX_LINES + " capabilities");
                }
            }
            if (credentials != null) {
                if (!sasl) {
                    throw new IOException("the server offers no SASL PLAIN here");
                }
                probe.send("AUTH PLAIN " + credentials.plain());
                probe.expect(probe.line(), "+OK", "AUTH PLAIN");
                probe.found.add(loggedIn(credentials));
            }
            probe.send("QUIT");
        });
    }

    /** An SMTP server (RFC 5321, 3207): greeting, EHLO, STARTTLS when offered, EHLO again, QUIT. */
    public static Result smtp(String host, int port, String heloName, SSLContext trust, Duration timeout) {
        return run(host, port, Tls.NONE, trust, timeout, probe -> {
            probe.smtpReply("220", "greeting");
            probe.send("EHLO " + heloName);
            List<String> extensions = probe.smtpReply("250", "EHLO");
            if (extensions.stream().anyMatch(l -> l.length() > 4
                    && l.substring(4).toUpperCase(Locale.ROOT).startsWith("STARTTLS"))) {
                probe.send("STARTTLS");
                probe.smtpReply("220", "STARTTLS");
                probe.startTls(host, port);
                probe.send("EHLO " + heloName);
                probe.smtpReply("250", "EHLO after STARTTLS");
            } else {
                probe.found.add("no STARTTLS offered: mail to the old system would cross the network in the clear");
            }
            probe.send("QUIT");
        });
    }

    private interface Conversation {
        void play(ServerProbe probe) throws IOException;
    }

    private static Result run(String host, int port, Tls tls, SSLContext trust, Duration timeout,
                              Conversation conversation) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            ServerProbe probe = new ServerProbe(plain, trust, timeout);
            try {
                if (tls == Tls.IMPLICIT) {
                    probe.startTls(host, port);
                }
                conversation.play(probe);
            } finally {
                probe.socket.close();
            }
            if (!(probe.socket instanceof SSLSocket)) {
                probe.found.add(0, "no TLS");
            }
            return new Result(true, "ok, " + String.join("; ", probe.found));
        } catch (IOException | RuntimeException e) {
            return new Result(false, "failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }

    private static String loggedIn(Credentials credentials) {
        return credentials.login() == null ? "logged in as " + credentials.user()
                : "master user " + credentials.login() + " logged in for " + credentials.user();
    }

    private void startTls(String host, int port) throws IOException {
        SSLSocket tls = LegacyTls.wrap(socket, host, port, trust);
        tls.setSoTimeout((int) timeout.toMillis());
        socket = tls;
        in = new BufferedInputStream(tls.getInputStream());
        out = tls.getOutputStream();
        SSLSession session = tls.getSession();
        found.add(session.getProtocol() + ", certificate trusted for " + host);
    }

    private void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The lines up to the tagged one, which must be OK. */
    private List<String> imapTagged(String tag) throws IOException {
        List<String> lines = new ArrayList<>();
        while (lines.size() < MAX_LINES) {
            String line = line();
            if (line.startsWith(tag + " ")) {
                expect(line, tag + " OK", tag);
                return lines;
            }
            lines.add(line);
        }
        throw new IOException("more than " + MAX_LINES + " lines before " + tag + "'s answer");
    }

    /** An SMTP reply's lines, its code {@code code}. */
    private List<String> smtpReply(String code, String what) throws IOException {
        List<String> lines = new ArrayList<>();
        while (lines.size() < MAX_LINES) {
            String line = line();
            expect(line, code, what);
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return lines;
            }
        }
        throw new IOException("more than " + MAX_LINES + " lines in the " + what + " reply");
    }

    private void expect(String line, String prefix, String what) throws IOException {
        if (!line.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new IOException(what + ": " + line);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the server closed the connection");
            }
            if (c == '\n') {
                byte[] octets = line.toByteArray();
                int end = octets.length > 0 && octets[octets.length - 1] == '\r' ? octets.length - 1 : octets.length;
                return new String(octets, 0, end, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("a line longer than " + MAX_LINE + " octets");
            }
            line.write(c);
        }
    }
}
