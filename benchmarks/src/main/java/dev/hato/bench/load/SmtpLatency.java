package dev.hato.bench.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP load generator that reports what {@code smtp-source} does not: the latency of each message from the
 * client's DATA command, and from its final {@code .CRLF}, to the server's 250 reply. For Hato that 250 means the
 * message is committed in PostgreSQL (docs/architecture.md), so the second figure is the commit latency a sender
 * sees. Like {@code smtp-source} without {@code -d}, every message has its own connection (connect, greeting, EHLO,
 * MAIL, RCPT, DATA, QUIT), unless {@code --reuse} keeps one connection per session.
 *
 * <p>Blocking sockets, one platform thread per session: this is a client, so nothing here runs on an event loop,
 * and {@code sessions} is small (the runs use 20). Any reply other than the expected one stops the run with an
 * error: a load tool that counts failures as messages measures nothing.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.hato.bench.load.SmtpLatency \
 *     --port 2527 --sessions 20 --messages 2000 --size 10240 --to user@example.org [--reuse] [--csv]
 * </pre>
 */
public final class SmtpLatency {

    private static final int MAX_REPLY_LINE = 4096;
    private static final int SOCKET_TIMEOUT_MILLIS = 60_000;

    private final Options options;
    private final byte[] content;
    private final AtomicInteger next = new AtomicInteger();
    private final long[] fromDataCommand;
    private final long[] fromEndOfData;

    private SmtpLatency(Options options) {
        this.options = options;
        this.content = dotStuffed(message(options.size(), options.from(), options.to()));
        this.fromDataCommand = new long[options.messages()];
        this.fromEndOfData = new long[options.messages()];
    }

    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("SmtpLatency: " + e.getMessage());
            System.err.println("usage: SmtpLatency [--host H] --port P [--sessions N] [--messages N] [--size OCTETS]"
                    + " [--from ADDR] --to ADDR [--reuse] [--csv]");
            System.exit(2);
            return;
        }
        new SmtpLatency(options).run();
    }

    private void run() throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        for (int s = 0; s < options.sessions(); s++) {
            Thread thread = new Thread(() -> {
                try {
                    session();
                } catch (IOException | RuntimeException e) {
                    failures.add(e);
                }
            }, "smtp-session-" + s);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            System.err.println("SmtpLatency: " + failures.size() + " session(s) failed; first: " + failures.get(0));
            System.exit(1);
        }
        int n = options.messages();
        long[] data = fromDataCommand.clone();
        long[] end = fromEndOfData.clone();
        Arrays.sort(data);
        Arrays.sort(end);
        double rate = n / seconds;
        if (options.csv()) {
            System.out.printf(Locale.ROOT, "%d,%d,%d,%.1f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f%n", options.size(),
                    options.sessions(), n, rate, ms(percentile(end, 50)), ms(percentile(end, 99)),
                    ms(end[n - 1]), ms(percentile(data, 50)), ms(percentile(data, 99)), ms(data[n - 1]));
        } else {
            System.out.printf(Locale.ROOT, "%d messages of %d octets over %d session(s)%s in %.2f s: %.1f msg/s%n",
                    n, options.size(), options.sessions(), options.reuse() ? " (connections reused)" : "", seconds,
                    rate);
            System.out.printf(Locale.ROOT, "end of data (.CRLF) to 250: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    ms(percentile(end, 50)), ms(percentile(end, 99)), ms(end[n - 1]));
            System.out.printf(Locale.ROOT, "DATA command to 250:        p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    ms(percentile(data, 50)), ms(percentile(data, 99)), ms(data[n - 1]));
        }
    }

    /** Sends messages until the shared count is used up. */
    private void session() throws IOException {
        Connection connection = null;
        try {
            int index;
            while ((index = next.getAndIncrement()) < options.messages()) {
                if (connection == null) {
                    connection = Connection.open(options.host(), options.port());
                    connection.expect(220);
                    connection.command("EHLO client.bench.example", 250);
                }
                connection.command("MAIL FROM:<" + options.from() + ">", 250);
                connection.command("RCPT TO:<" + options.to() + ">", 250);
                long dataCommand = System.nanoTime();
                connection.command("DATA", 354);
                connection.out.write(content, 0, content.length - 3);
                connection.out.flush();
                long endOfData = System.nanoTime();
                connection.out.write(content, content.length - 3, 3); // ".CRLF"
                connection.out.flush();
                connection.expect(250);
                long replied = System.nanoTime();
                fromDataCommand[index] = replied - dataCommand;
                fromEndOfData[index] = replied - endOfData;
                if (!options.reuse()) {
                    connection.command("QUIT", 221);
                    connection.close();
                    connection = null;
                }
            }
            if (connection != null) {
                connection.command("QUIT", 221);
            }
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    private static long percentile(long[] sorted, int p) {
        // Nearest rank: the smallest value with at least p % of the samples at or below it.
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /**
     * A message with {@code size} octets of body (one more when {@code size} is odd and below 2) after a small
     * header, in lines of 78 octets with CRLF, as {@code smtp-source -l} sends (its length, too, excludes the header).
     */
    static byte[] message(int size, String from, String to) {
        StringBuilder text = new StringBuilder(size + 256)
                .append("From: <").append(from).append(">\r\n")
                .append("To: <").append(to).append(">\r\n")
                .append("Subject: SmtpLatency\r\n")
                .append("Message-ID: <").append(System.nanoTime()).append("@client.bench.example>\r\n\r\n");
        String filler = "La ".repeat(26).substring(0, 76);
        for (int left = size; left > 0; ) {
            // Full lines of 76 characters and CRLF; the last line takes what is left (at least its CRLF).
            int line = Math.max(0, Math.min(76, left - 2));
            text.append(filler, 0, line).append("\r\n");
            left -= line + 2;
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** RFC 5321 §4.5.2: a line starting with "." gets another; then the ".CRLF" that ends the data. */
    static byte[] dotStuffed(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 64);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        if (!lineStart) {
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        out.writeBytes(new byte[] {'.', '\r', '\n'});
        return out.toByteArray();
    }

    /** Command-line settings, validated. */
    record Options(String host, int port, int sessions, int messages, int size, String from, String to,
                   boolean reuse, boolean csv) {
        Options {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("--port must be 1..65535");
            }
            if (sessions < 1 || sessions > 10_000) {
                throw new IllegalArgumentException("--sessions must be 1..10000");
            }
            if (messages < 1 || messages > 10_000_000) {
                throw new IllegalArgumentException("--messages must be 1..10000000");
            }
            if (size < 0 || size > 100 * 1024 * 1024) {
                throw new IllegalArgumentException("--size must be 0..104857600 octets");
            }
            if (to.isBlank()) {
                throw new IllegalArgumentException("--to is required: a recipient the server accepts");
            }
            if (to.contains(">") || from.contains(">") || to.contains("\r") || from.contains("\r")) {
                throw new IllegalArgumentException("--to (and --from) must be plain addresses");
            }
        }

        static Options parse(String[] args) {
            String host = "127.0.0.1";
            int port = 0;
            int sessions = 1;
            int messages = 100;
            int size = 10_240;
            String from = "sender@client.bench.example";
            String to = "";
            boolean reuse = false;
            boolean csv = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--reuse" -> reuse = true;
                    case "--csv" -> csv = true;
                    case "--host", "--port", "--sessions", "--messages", "--size", "--from", "--to" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        String value = args[++i];
                        switch (arg) {
                            case "--host" -> host = value;
                            case "--port" -> port = number(arg, value);
                            case "--sessions" -> sessions = number(arg, value);
                            case "--messages" -> messages = number(arg, value);
                            case "--size" -> size = number(arg, value);
                            case "--from" -> from = value;
                            default -> to = value;
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + arg);
                }
            }
            return new Options(host, port, sessions, messages, size, from, to, reuse, csv);
        }

        private static int number(String name, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a number, not '" + value + "'");
            }
        }
    }

    /** One client connection: buffered streams and a reply reader with bounded line length (ImapIdle delivers with it). */
    static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        }

        static Connection open(String host, int port) throws IOException {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), SOCKET_TIMEOUT_MILLIS);
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            return new Connection(socket);
        }

        /** DATA: {@code stuffed} is the dot-stuffed content ending in ".CRLF" ({@link #dotStuffed}); expects 250. */
        void data(byte[] stuffed) throws IOException {
            command("DATA", 354);
            out.write(stuffed);
            out.flush();
            expect(250);
        }

        void command(String line, int expected) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect(expected);
        }

        /** Reads one reply (RFC 5321 §4.2.1: "ddd-" lines continue it) and checks its code. */
        void expect(int expected) throws IOException {
            String line;
            do {
                line = readLine();
                if (line.length() < 3 || !line.startsWith(Integer.toString(expected))) {
                    throw new IOException("expected " + expected + ", got: " + line);
                }
            } while (line.length() > 3 && line.charAt(3) == '-');
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("connection closed by the server after: " + line);
                }
                if (b != '\r') {
                    line.append((char) b);
                }
                if (line.length() > MAX_REPLY_LINE) {
                    throw new IOException("reply line longer than " + MAX_REPLY_LINE + " octets");
                }
            }
            return line.toString();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
