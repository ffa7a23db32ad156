package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow clients on the HTTP, management and HTTPS listeners (docs/security.md, slowloris): a client that trickles a
 * request header a byte at a time, or sends nothing, is disconnected at {@code hato.http.idle-timeout}, while a
 * client that sends a whole request is answered. Before the setting the HTTP and management ports had no timeout at
 * all, so such a client kept its connection for ever.
 */
class HttpSlowClientTest {

    private static final long IDLE_MILLIS = 2_000;
    private static RunningHato hato;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("hato-http-slow-");
        hato = RunningHato.start(dir, "--hato.outbound.enabled=false", "--hato.http.idle-timeout=2s");
    }

    @AfterAll
    static void stop() {
        hato.close();
    }

    private static Socket plain(int port) throws Exception {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return socket;
    }

    private static Socket tls(int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain(port), "localhost", port, true);
        socket.startHandshake();
        return socket;
    }

    /**
     * Sends one octet of a never-ending header every 250 ms until the server closes the connection (or 20 s pass);
     * returns the milliseconds until the close, or -1 if it stayed open.
     */
    private static long trickle(Socket socket) throws Exception {
        long start = System.nanoTime();
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        socket.setSoTimeout(250);
        byte[] header = "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; System.nanoTime() - start < 20_000_000_000L; i++) {
            try {
                out.write(i < header.length ? header[i] : 'a');
                out.flush();
            } catch (java.io.IOException e) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            try {
                if (in.read() < 0) {
                    return (System.nanoTime() - start) / 1_000_000;
                }
            } catch (SocketTimeoutException e) {
                // still open: the next octet
            } catch (java.io.IOException e) {
                return (System.nanoTime() - start) / 1_000_000;
            }
        }
        return -1;
    }

    /** Milliseconds until a client that sends nothing is disconnected, or -1 after 20 s. */
    private static long silent(Socket socket) throws Exception {
        long start = System.nanoTime();
        socket.setSoTimeout(20_000);
        try {
            int read = socket.getInputStream().read();
            return read < 0 ? (System.nanoTime() - start) / 1_000_000 : -2;
        } catch (SocketTimeoutException e) {
            return -1;
        } catch (java.io.IOException e) {
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    private static String get(Socket socket) throws Exception {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aClientTricklingAHeaderShouldBeDisconnectedAtTheIdleTimeoutOnEveryHttpListener() throws Exception {
        int[] ports = {hato.httpPort(), hato.managementPort()};
        for (int port : ports) {
            try (Socket slow = plain(port)) {
                long closedAfter = trickle(slow);
                assertThat(closedAfter).as("port %d: ms until the trickling client was closed", port)
                        .isBetween(IDLE_MILLIS - 200, IDLE_MILLIS + 8_000);
            }
            try (Socket bystander = plain(port)) {
                assertThat(get(bystander)).as("port %d: a whole request", port).startsWith("HTTP/1.1 ");
            }
        }
        try (Socket slow = tls(hato.httpsPort())) {
            assertThat(trickle(slow)).as("HTTPS: ms until the trickling client was closed")
                    .isBetween(IDLE_MILLIS - 200, IDLE_MILLIS + 8_000);
        }
        try (Socket bystander = tls(hato.httpsPort())) {
            assertThat(get(bystander)).startsWith("HTTP/1.1 ");
        }
    }

    @Test
    void aClientThatSendsNothingShouldBeDisconnectedAtTheIdleTimeout() throws Exception {
        for (int port : new int[] {hato.httpPort(), hato.managementPort()}) {
            try (Socket silent = plain(port)) {
                assertThat(silent(silent)).as("port %d: ms until a silent client was closed", port)
                        .isBetween(IDLE_MILLIS - 200, IDLE_MILLIS + 8_000);
            }
        }
    }
}
