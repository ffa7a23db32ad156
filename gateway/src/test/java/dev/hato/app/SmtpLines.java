package dev.hato.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A plain-text SMTP client for tests: one command per line, the last line of each reply kept. */
final class SmtpLines {

    private SmtpLines() {
    }

    /**
     * Connects to 127.0.0.1:{@code port}, sends EHLO, then each command (stopping at the first reply that is not
     * 2xx or 3xx), then QUIT; returns the last line of each command's reply.
     */
    static List<String> send(int port, String... commands) throws Exception {
        return afterEhlo(port, (in, out) -> {
            List<String> replies = new ArrayList<>();
            for (String command : commands) {
                write(out, command);
                String last = String.valueOf(reply(in));
                replies.add(last);
                if (!last.startsWith("2") && !last.startsWith("3")) {
                    break;
                }
            }
            write(out, "QUIT");
            return replies;
        });
    }

    /**
     * Connects, sends EHLO, then each command whatever its reply, until a 421 or the end of the connection; returns
     * the last line of each reply, "(closed)" for a reply that never came, and after a 421 "(closed)" or "(still
     * open)" for what the server did next.
     */
    static List<String> sendUntilClosed(int port, String... commands) throws Exception {
        return afterEhlo(port, (in, out) -> {
            List<String> replies = new ArrayList<>();
            for (String command : commands) {
                write(out, command);
                String last = reply(in);
                replies.add(last == null ? "(closed)" : last);
                if (last == null || last.startsWith("421")) {
                    replies.add(in.readLine() == null ? "(closed)" : "(still open)");
                    break;
                }
            }
            return replies;
        });
    }

    /** What is said on a connection once it is greeted and EHLO answered. */
    private interface Conversation {
        List<String> run(BufferedReader in, OutputStream out) throws Exception;
    }

    private static List<String> afterEhlo(int port, Conversation conversation) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            reply(in);
            write(out, "EHLO client.remote.example");
            reply(in);
            return conversation.run(in, out);
        }
    }

    private static void write(OutputStream out, String line) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The last line of a reply, or null when the connection ended first. */
    private static String reply(BufferedReader in) throws Exception {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    /** Sends one command line over {@code smtp} and returns the last line of its reply (multi-line replies skipped). */
    static String command(SocketTransport smtp, String line) throws Exception {
        smtp.send((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        String reply;
        do {
            reply = smtp.readLine();
        } while (reply.length() > 3 && reply.charAt(3) == '-');
        return reply;
    }
}
