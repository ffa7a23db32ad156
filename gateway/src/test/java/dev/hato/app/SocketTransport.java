package dev.hato.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A real TCP connection to 127.0.0.1, plain or TLS (the JDK's own TLS client, trusting the test certificate). */
final class SocketTransport implements Transport {

    private Socket socket;
    /** How long {@link #unread()} waits for output still under way. */
    private static final int UNREAD_GRACE_MILLIS = 100;

    private InputStream in;

    SocketTransport(int port, boolean implicitTls) throws IOException {
        this(port, implicitTls, "127.0.0.1");
    }

    /**
     * A connection from another loopback address ({@code 127.0.0.2}: all of 127/8 is loopback on Linux), so a test
     * can be two clients at once.
     */
    SocketTransport(int port, boolean implicitTls, String localAddress) throws IOException {
        Socket plain = new Socket(java.net.InetAddress.getByName("127.0.0.1"), port,
                java.net.InetAddress.getByName(localAddress), 0);
        // Long enough for a shared, loaded CI machine (a 15 s limit once ran out there on a reply that takes
        // milliseconds); a server that does not answer at all still fails the test.
        plain.setSoTimeout(30_000);
        this.socket = implicitTls ? wrap(plain, port) : plain;
        this.in = socket.getInputStream();
    }

    static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) { }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) { }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLSocket wrap(Socket plain, int port) throws IOException {
        SSLSocket tls = (SSLSocket) trustAll().getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        return tls;
    }

    /** The TLS session of this connection (after implicit TLS or {@link #startTls()}). */
    javax.net.ssl.SSLSession tlsSession() {
        return ((SSLSocket) socket).getSession();
    }

    boolean isTls() {
        return socket instanceof SSLSocket;
    }

    @Override
    public void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    @Override
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by server; partial line: "
                        + line.toString(StandardCharsets.UTF_8));
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
    }

    @Override
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public String unread() throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(UNREAD_GRACE_MILLIS);
        try {
            for (int b = in.read(); b >= 0 && rest.size() < 4096; b = in.read()) {
                rest.write(b);
            }
        } catch (SocketTimeoutException nothingMore) {
            // what was sent has arrived: loopback delivers it well within the grace
        } catch (IOException reset) {
            // the server closed the connection: nothing more can come
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(timeout);
            }
        }
        return rest.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void startTls() throws IOException {
        socket = wrap(socket, socket.getPort());
        in = socket.getInputStream();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // test cleanup
        }
    }
}
