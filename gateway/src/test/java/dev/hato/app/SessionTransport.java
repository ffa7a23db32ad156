package dev.hato.app;

import dev.hato.protocol.Action;
import dev.hato.protocol.ConnectionInfo;
import dev.hato.protocol.ProtocolSession;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Plays a conversation against the session state machine directly: no socket, same store. */
final class SessionTransport implements Transport {

    private final ProtocolSession session;
    /** Unsolicited output (IMAP IDLE), kept apart until a reader wants it, as the edge never interleaves it. */
    private final java.util.concurrent.LinkedBlockingQueue<Action> pushed = new java.util.concurrent.LinkedBlockingQueue<>();
    private final reactor.core.Disposable pushes;
    private byte[] output = new byte[0];
    private int position;
    private boolean closed;

    SessionTransport(ProtocolSession session) {
        this.session = session;
        perform(session.open().collectList().block(Duration.ofSeconds(30)));
        pushes = session.unsolicited().subscribe(pushed::add);
    }

    static ConnectionInfo connection(boolean tls) {
        return new ConnectionInfo(new InetSocketAddress("127.0.0.1", 40000), new InetSocketAddress("127.0.0.1", 25),
                tls);
    }

    @Override
    public void send(byte[] bytes) {
        if (closed) {
            throw new IllegalStateException("session closed");
        }
        List<Action> arrived = new java.util.ArrayList<>();
        pushed.drainTo(arrived);
        perform(arrived);
        perform(session.receive(ByteBuffer.wrap(bytes)).collectList().block(Duration.ofSeconds(30)));
    }

    private void perform(List<Action> actions) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(output, position, output.length - position);
        for (Action action : actions == null ? List.<Action>of() : actions) {
            if (action instanceof Action.Write write) {
                out.writeBytes(bytes(write.bytes()));
            } else if (action instanceof Action.StartTls tls) {
                out.writeBytes(bytes(tls.reply()));
            } else if (action instanceof Action.Compress compress) {
                // No socket here, so nothing to compress: the reply is what the session said.
                out.writeBytes(bytes(compress.reply()));
            } else {
                closed = true;
            }
        }
        output = out.toByteArray();
        position = 0;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] copy = new byte[view.remaining()];
        view.get(copy);
        return copy;
    }

    @Override
    public String readLine() throws InterruptedException {
        // What the session pushed by itself comes after what it answered; wait for it only when nothing else is left.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!hasLine() && !closed && System.nanoTime() < deadline) {
            Action action = pushed.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (action != null) {
                perform(List.of(action));
            }
        }
        return nextLine();
    }

    private boolean hasLine() {
        for (int i = position; i + 1 < output.length; i++) {
            if (output[i] == '\r' && output[i + 1] == '\n') {
                return true;
            }
        }
        return false;
    }

    private String nextLine() {
        for (int i = position; i + 1 < output.length; i++) {
            if (output[i] == '\r' && output[i + 1] == '\n') {
                String line = new String(output, position, i - position, StandardCharsets.UTF_8);
                position = i + 2;
                return line;
            }
        }
        throw new AssertionError("the session sent no (further) complete line; closed=" + closed);
    }

    @Override
    public boolean closedByServer() {
        return closed && position == output.length;
    }

    @Override
    public String unread() {
        List<Action> arrived = new java.util.ArrayList<>();
        pushed.drainTo(arrived);
        perform(arrived);
        String rest = new String(output, position, output.length - position, StandardCharsets.UTF_8);
        position = output.length;
        return rest;
    }

    @Override
    public void startTls() {
        // The session already switched its state when it answered; there is no socket to wrap, so the handshake
        // "succeeds" at once, as the edge would report it (ManageSieve answers it with its capabilities).
        session.tlsEstablished(new dev.hato.protocol.TlsParameters("TLSv1.3", "TLS_AES_128_GCM_SHA256"));
        reactor.core.publisher.Flux<Action> due = session.afterTlsEstablished();
        if (due != null) {
            perform(due.collectList().block(Duration.ofSeconds(30)));
        }
    }

    @Override
    public void close() {
        pushes.dispose();
        session.closed();
    }
}
