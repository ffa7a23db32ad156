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
    private byte[] output = new byte[0];
    private int position;
    private boolean closed;

    SessionTransport(ProtocolSession session) {
        this.session = session;
        perform(session.open().collectList().block(Duration.ofSeconds(30)));
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
    public String readLine() {
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
    public void startTls() {
        // The session already switched its state when it answered; there is no socket to wrap.
    }

    @Override
    public void close() {
        session.closed();
    }
}
