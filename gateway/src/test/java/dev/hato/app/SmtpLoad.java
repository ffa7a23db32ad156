package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Concurrent SMTP senders on port 25 that count what the server answered: every message (its Subject is its
 * identity) acknowledged with 250 to its data, the temporary (4xx) and permanent (5xx) replies to any command. A
 * sender waits for each reply before the next command (no pipelining), so a 5xx is the server's own answer to what
 * was asked, never the consequence of an earlier refusal. Connections that break are opened again until stopped.
 */
final class SmtpLoad implements AutoCloseable {

    private final int port;
    private final String recipient;
    private final IntFunction<String> body;
    private final AtomicBoolean sending = new AtomicBoolean(true);
    private final ExecutorService senders;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicInteger temporary = new AtomicInteger();
    private final AtomicInteger permanent = new AtomicInteger();
    private final AtomicInteger connectionsLost = new AtomicInteger();
    private final List<String> permanentReplies = new CopyOnWriteArrayList<>();
    private final Set<String> temporaryReplies = ConcurrentHashMap.newKeySet();

    /** {@code body} gives the body of a sender's n-th message (CRLF line endings, no line starting with a dot). */
    SmtpLoad(int port, int count, String recipient, IntFunction<String> body) {
        this.port = port;
        this.recipient = recipient;
        this.body = body;
        this.senders = Executors.newFixedThreadPool(count);
        for (int s = 0; s < count; s++) {
            int sender = s;
            senders.submit(() -> send(sender));
        }
    }

    Set<String> acknowledged() {
        return acknowledged;
    }

    int temporary() {
        return temporary.get();
    }

    int permanent() {
        return permanent.get();
    }

    List<String> permanentReplies() {
        return List.copyOf(permanentReplies);
    }

    /** The distinct temporary replies (their first 80 characters), at most 20. */
    Set<String> temporaryReplies() {
        return Set.copyOf(temporaryReplies);
    }

    int connectionsLost() {
        return connectionsLost.get();
    }

    /** Waits (bounded) until more than {@code count} messages were acknowledged. */
    void awaitAcknowledged(int count, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (acknowledged.size() <= count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private void send(int sender) {
        int n = 0;
        while (sending.get()) {
            try (SocketTransport smtp = new SocketTransport(port, false)) {
                if (!positive(smtp.readLine()) || !positive(command(smtp, "HELO sender.test"))) {
                    throw new IllegalStateException("not greeted");
                }
                while (sending.get()) {
                    String id = "m-" + sender + "-" + n++;
                    if (!positive(command(smtp, "MAIL FROM:<load@sender.test>"))) {
                        command(smtp, "RSET");
                        continue;
                    }
                    if (!positive(command(smtp, "RCPT TO:<" + recipient + ">"))) {
                        command(smtp, "RSET");
                        continue;
                    }
                    String data = command(smtp, "DATA");
                    if (!data.startsWith("354")) {
                        positive(data);
                        command(smtp, "RSET");
                        continue;
                    }
                    String reply = command(smtp, "Subject: " + id + "\r\n\r\n" + body.apply(n) + "\r\n.");
                    if (positive(reply)) {
                        acknowledged.add(id);
                    }
                }
            } catch (Exception connectionLostOrRefused) {
                connectionsLost.incrementAndGet();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Sends one line and returns the last line of the reply. */
    private static String command(SocketTransport smtp, String line) throws Exception {
        smtp.send((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        String reply = smtp.readLine();
        while (reply.length() > 3 && reply.charAt(3) == '-') {
            reply = smtp.readLine();
        }
        return reply;
    }

    /** Whether a reply is 2xx or 3xx; counts 4xx and 5xx. */
    private boolean positive(String reply) {
        if (reply.startsWith("4")) {
            temporary.incrementAndGet();
            if (temporaryReplies.size() < 20) {
                temporaryReplies.add(reply.length() > 80 ? reply.substring(0, 80) : reply);
            }
        } else if (reply.startsWith("5")) {
            permanent.incrementAndGet();
            if (permanentReplies.size() < 20) {
                permanentReplies.add(reply);
            }
        }
        return reply.startsWith("2") || reply.startsWith("3");
    }

    /** Stops the senders and waits for them (a minute at most). */
    @Override
    public void close() throws InterruptedException {
        sending.set(false);
        senders.shutdown();
        assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).as("senders stopped").isTrue();
    }
}
