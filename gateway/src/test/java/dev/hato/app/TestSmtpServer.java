package dev.hato.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A remote SMTP server for tests, on a loopback address: plain blocking sockets, a thread per connection, every
 * conversation recorded. What it offers (EHLO keywords, STARTTLS, AUTH) and how it answers each RCPT are set when
 * it is built; it reads the protocol strictly enough to catch a client that breaks it (DATA content is
 * dot-unstuffed as RFC 5321 §4.5.2 says, BDAT chunks are read by their length).
 */
final class TestSmtpServer implements AutoCloseable {

    /** One transaction as the server saw it. */
    record Transaction(int connection, String mailFrom, List<String> rcptTo, List<String> accepted, byte[] content,
                       boolean tls, boolean pipelined, String authenticatedAs) {
        String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    private final ServerSocket socket;
    private final List<String> extensions;
    private final BiFunction<String, Integer, String> rcptReply;
    private final String dataReply;
    private final SSLContext tls;
    private final String credentials;
    private final CountDownLatch greetingGate;
    private final boolean brokenTls;
    private final long dataDelayMillis;
    private final List<Transaction> transactions = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> rcptCounts = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;

    private TestSmtpServer(Builder builder) throws IOException {
        this.socket = new ServerSocket();
        this.socket.bind(new InetSocketAddress(InetAddress.getByName(builder.address), builder.port), 50);
        this.extensions = List.copyOf(builder.extensions);
        this.rcptReply = builder.rcptReply;
        this.dataReply = builder.dataReply;
        this.tls = builder.tls;
        this.credentials = builder.credentials;
        this.greetingGate = builder.greetingGate;
        this.brokenTls = builder.brokenTls;
        this.dataDelayMillis = builder.dataDelayMillis;
        Thread acceptor = new Thread(this::acceptLoop, "test-smtp-" + builder.address);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static Builder on(String address, int port) {
        return new Builder(address, port);
    }

    static final class Builder {
        private final String address;
        private final int port;
        private List<String> extensions = List.of("PIPELINING", "8BITMIME", "SIZE 10000000");
        private BiFunction<String, Integer, String> rcptReply = (address, attempt) -> "250 2.1.5 ok";
        private String dataReply = "250 2.0.0 queued";
        private SSLContext tls;
        private String credentials;
        private CountDownLatch greetingGate = new CountDownLatch(0);
        private boolean brokenTls;
        private long dataDelayMillis;

        private Builder(String address, int port) {
            this.address = address;
            this.port = port;
        }

        /** EHLO keywords after the first line (STARTTLS and AUTH are added by {@link #tls} and {@link #auth}). */
        Builder extensions(String... keywords) {
            this.extensions = List.of(keywords);
            return this;
        }

        /** The reply to RCPT for an address on its n-th RCPT (counted from 1 over all connections). */
        Builder rcpt(BiFunction<String, Integer, String> reply) {
            this.rcptReply = reply;
            return this;
        }

        Builder dataReply(String reply) {
            this.dataReply = reply;
            return this;
        }

        Builder tls(SSLContext context) {
            this.tls = context;
            return this;
        }

        /** AUTH PLAIN and LOGIN for this user name and password, offered after TLS when TLS is set up. */
        Builder auth(String username, String password) {
            this.credentials = username + "\0" + password;
            return this;
        }

        /** Offers STARTTLS, answers 220, then sends plain text where the TLS handshake should be. */
        Builder brokenTls() {
            this.brokenTls = true;
            return this;
        }

        /** The greeting waits until this latch opens. */
        Builder holdGreeting(CountDownLatch gate) {
            this.greetingGate = gate;
            return this;
        }

        /** Waits this long after the end of each message's data before recording it and replying. */
        Builder dataDelay(java.time.Duration delay) {
            this.dataDelayMillis = delay.toMillis();
            return this;
        }

        TestSmtpServer start() throws IOException {
            return new TestSmtpServer(this);
        }
    }

    int port() {
        return socket.getLocalPort();
    }

    List<Transaction> transactions() {
        return List.copyOf(transactions);
    }

    /** Every command line received, in order, over all connections. */
    List<String> commands() {
        return List.copyOf(commands);
    }

    int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = socket.accept();
                int number = connections.incrementAndGet();
                Thread thread = new Thread(() -> serve(client, number), "test-smtp-conn-" + number);
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                if (!closed) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private void serve(Socket client, int number) {
        try (client) {
            greetingGate.await();
            new Conversation(client, number).run();
        } catch (IOException | RuntimeException e) {
            // the client went away or broke the protocol; the test looks at what was recorded
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One connection's state. */
    private final class Conversation {
        private final int number;
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private boolean secure;
        private String authenticatedAs = "";
        private String mailFrom;
        private final List<String> rcptTo = new ArrayList<>();
        private final List<String> accepted = new ArrayList<>();
        private boolean pipelined;

        Conversation(Socket socket, int number) throws IOException {
            this.socket = socket;
            this.number = number;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        void run() throws IOException {
            reply("220 test.remote ESMTP");
            String line;
            while ((line = readLine()) != null) {
                commands.add(line);
                String upper = line.toUpperCase(Locale.ROOT);
                if (upper.startsWith("EHLO ")) {
                    List<String> lines = new ArrayList<>(List.of("250-test.remote"));
                    extensions.forEach(keyword -> lines.add("250-" + keyword));
                    if ((tls != null || brokenTls) && !secure) {
                        lines.add("250-STARTTLS");
                    }
                    if (credentials != null && (secure || tls == null)) {
                        lines.add("250-AUTH PLAIN LOGIN");
                    }
                    lines.add("250 HELP");
                    reply(String.join("\r\n", lines));
                } else if (upper.equals("STARTTLS") && brokenTls) {
                    reply("220 2.0.0 go ahead");
                    reply("this is not a TLS handshake");
                    return;
                } else if (upper.equals("STARTTLS") && tls != null && !secure) {
                    reply("220 2.0.0 go ahead");
                    SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket,
                            socket.getInetAddress().getHostAddress(), socket.getPort(), true);
                    ssl.setUseClientMode(false);
                    ssl.startHandshake();
                    socket = ssl;
                    in = ssl.getInputStream();
                    out = ssl.getOutputStream();
                    secure = true;
                } else if (upper.startsWith("AUTH PLAIN ")) {
                    String decoded = new String(Base64.getDecoder().decode(line.substring(11).trim()),
                            StandardCharsets.UTF_8);
                    authenticate(decoded.substring(decoded.indexOf('\0') + 1));
                } else if (upper.equals("AUTH LOGIN")) {
                    reply("334 VXNlcm5hbWU6");
                    String user = decode(readLine());
                    reply("334 UGFzc3dvcmQ6");
                    authenticate(user + "\0" + decode(readLine()));
                } else if (upper.startsWith("MAIL FROM:")) {
                    if (credentials != null && authenticatedAs.isEmpty()) {
                        reply("530 5.7.0 authentication required");
                        continue;
                    }
                    mailFrom = line;
                    // RFC 2920: a client that pipelines has sent the RCPTs already.
                    pipelined = extensions.contains("PIPELINING") && in.available() > 0;
                    reply("250 2.1.0 ok");
                } else if (upper.startsWith("RCPT TO:")) {
                    rcptTo.add(line);
                    String address = line.substring(line.indexOf('<') + 1, line.indexOf('>')).toLowerCase(Locale.ROOT);
                    int attempt = rcptCounts.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
                    String answer = mailFrom == null ? "503 5.5.1 MAIL first" : rcptReply.apply(address, attempt);
                    if (answer.startsWith("2")) {
                        accepted.add(address);
                    }
                    reply(answer);
                } else if (upper.equals("DATA")) {
                    if (accepted.isEmpty()) {
                        reply("554 5.5.1 no valid recipients");
                        continue;
                    }
                    reply("354 go ahead");
                    byte[] content = readData();
                    pause();
                    finish(content);
                    reply(dataReply);
                } else if (upper.startsWith("BDAT ")) {
                    ByteArrayOutputStream chunks = new ByteArrayOutputStream();
                    String[] words = line.split(" ");
                    chunks.write(in.readNBytes(Integer.parseInt(words[1])));
                    while (words.length < 3) {
                        reply("250 2.0.0 chunk ok");
                        line = readLine();
                        commands.add(line);
                        words = line.split(" ");
                        chunks.write(in.readNBytes(Integer.parseInt(words[1])));
                    }
                    finish(chunks.toByteArray());
                    reply(dataReply);
                } else if (upper.equals("RSET")) {
                    mailFrom = null;
                    rcptTo.clear();
                    accepted.clear();
                    reply("250 2.0.0 reset");
                } else if (upper.equals("QUIT")) {
                    reply("221 2.0.0 bye");
                    return;
                } else if (upper.startsWith("HELO ") || upper.equals("NOOP")) {
                    reply("250 ok");
                } else {
                    reply("502 5.5.2 unknown command");
                }
            }
        }

        private void pause() throws IOException {
            try {
                Thread.sleep(dataDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        private void authenticate(String userAndPassword) throws IOException {
            if (credentials != null && credentials.equals(userAndPassword)) {
                authenticatedAs = userAndPassword.substring(0, userAndPassword.indexOf('\0'));
                reply("235 2.7.0 authenticated");
            } else {
                reply("535 5.7.8 bad credentials");
            }
        }

        private void finish(byte[] content) {
            if (dataReply.startsWith("2")) {
                transactions.add(new Transaction(number, mailFrom, List.copyOf(rcptTo), List.copyOf(accepted),
                        content, secure, pipelined, authenticatedAs));
            }
            mailFrom = null;
            rcptTo.clear();
            accepted.clear();
        }

        /** DATA content up to CRLF.CRLF, dot-unstuffed (RFC 5321 §4.5.2). */
        private byte[] readData() throws IOException {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            String line;
            while ((line = readRawLine()) != null) {
                if (line.equals(".\r\n")) {
                    return content.toByteArray();
                }
                content.writeBytes((line.startsWith(".") ? line.substring(1) : line)
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
            throw new IOException("connection closed in DATA");
        }

        private String readLine() throws IOException {
            String line = readRawLine();
            if (line == null) {
                return null;
            }
            return line.endsWith("\r\n") ? line.substring(0, line.length() - 2) : line;
        }

        /** One line with its line ending, bytes as ISO-8859-1 characters. */
        private String readRawLine() throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                line.append((char) b);
                if (b == '\n') {
                    return line.toString();
                }
            }
            return line.length() == 0 ? null : line.toString();
        }

        private void reply(String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        private String decode(String base64) {
            return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
    }
}
