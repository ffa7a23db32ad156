package dev.hato.migration;

import dev.hato.legacy.LegacyTls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A blocking POP3 client (RFC 1939, RFC 2595 STLS, RFC 5034 AUTH) that reads the old server's view of a maildrop:
 * each message's size and unique-id, in the order the server numbers them. For the command line.
 */
final class Pop3Source implements AutoCloseable {

    /** A maildrop's listings beyond this are refused: no INBOX is that large. */
    private static final int MAX_MESSAGES = 10_000_000;

    /** One message as the old POP3 server lists it. */
    record Entry(int number, long size, String uidl) { }

    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    private Pop3Source(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
    }

    /** Connects and logs in with SASL PLAIN, as {@link ImapSource#connect} does. */
    static Pop3Source connect(String host, int port, boolean implicitTls, boolean startTls, SSLContext trust,
                              Duration timeout, String authzid, String authcid, String password) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(host, port), Math.toIntExact(timeout.toMillis()));
        plain.setSoTimeout(Math.toIntExact(timeout.toMillis()));
        Socket socket = implicitTls ? LegacyTls.wrap(plain, host, port, trust) : plain;
        Pop3Source source = new Pop3Source(socket);
        try {
            source.ok("greeting");
            if (startTls && !implicitTls) {
                source.send("STLS");
                source.ok("STLS");
                source = new Pop3Source(LegacyTls.wrap(socket, host, port, trust));
            }
            source.send("AUTH PLAIN");
            String go = source.line();
            if (!go.startsWith("+")) {
                throw new IOException("AUTH PLAIN refused: " + go);
            }
            source.send(Base64.getEncoder().encodeToString((authzid + "\0" + authcid + "\0" + password)
                    .getBytes(StandardCharsets.UTF_8)));
            source.ok("login");
            return source;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Every message's number, size (LIST) and unique-id (UIDL), in the server's order. */
    List<Entry> listing() throws IOException {
        Map<Integer, Long> sizes = new LinkedHashMap<>();
        for (String[] fields : multiline("LIST")) {
            sizes.put(Integer.parseInt(fields[0]), Long.parseLong(fields[1]));
        }
        List<Entry> entries = new ArrayList<>();
        for (String[] fields : multiline("UIDL")) {
            int number = Integer.parseInt(fields[0]);
            Long size = sizes.get(number);
            if (size == null) {
                throw new IOException("UIDL lists message " + number + ", LIST does not");
            }
            entries.add(new Entry(number, size, fields[1]));
        }
        return entries;
    }

    private List<String[]> multiline(String command) throws IOException {
        send(command);
        ok(command);
        List<String[]> lines = new ArrayList<>();
        String line;
        while (!(line = line()).equals(".")) {
            String[] fields = line.trim().split(" +");
            if (fields.length < 2 || lines.size() >= MAX_MESSAGES) {
                throw new IOException("unexpected " + command + " line: " + line);
            }
            lines.add(fields);
        }
        return lines;
    }

    @Override
    public void close() {
        try {
            send("QUIT");
            line();
        } catch (IOException | RuntimeException e) {
            // the connection goes either way
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    private void ok(String step) throws IOException {
        String line = line();
        if (!line.startsWith("+OK")) {
            throw new IOException(step + ": " + line);
        }
    }

    private void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private String line() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("the old POP3 server closed the connection");
        }
        return line;
    }
}
