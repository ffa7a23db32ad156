package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client address cannot hold more than its share of connections, nor all clients together more than the server's;
 * others are refused politely.
 */
class ConnectionLimitTest {

    @TempDir
    Path dataDir;

    @Test
    void connectionsBeyondTheLimitPerAddressShouldGetATemporaryRefusal() throws Exception {
        try (RunningHato hato = RunningHato.start(dataDir, "--hato.max-connections-per-address=3")) {
            List<SocketTransport> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    SocketTransport smtp = new SocketTransport(hato.port("smtp"), false);
                    open.add(smtp);
                    assertThat(smtp.readLine()).startsWith("220 ");
                }
                try (SocketTransport refused = new SocketTransport(hato.port("smtp"), false)) {
                    assertThat(refused.readLine()).startsWith("421 4.7.0 ").contains("Too many connections");
                    assertThat(refused.closedByServer()).isTrue();
                }
                for (int i = 0; i < 3; i++) {
                    SocketTransport pop = new SocketTransport(hato.port("pop3s"), true);
                    open.add(pop);
                    assertThat(pop.readLine()).startsWith("+OK");
                }
                try (SocketTransport refused = new SocketTransport(hato.port("pop3s"), true)) {
                    assertThat(refused.readLine()).startsWith("-ERR [SYS/TEMP] Too many connections");
                }
                open.remove(0).close();
                String greeting = "";
                for (int attempt = 0; attempt < 20 && !greeting.startsWith("220 "); attempt++) {
                    Thread.sleep(100);
                    try (SocketTransport again = new SocketTransport(hato.port("smtp"), false)) {
                        greeting = again.readLine();
                    }
                }
                assertThat(greeting).as("a freed slot can be used again").startsWith("220 ");
            } finally {
                open.forEach(SocketTransport::close);
            }
        }
    }

    @Test
    void connectionsOverTheCapOnAllListenersShouldGetATemporaryRefusalWhileThoseUnderItAreServed() throws Exception {
        try (RunningHato hato = RunningHato.start(dataDir, "--hato.max-connections=6")) {
            List<SocketTransport> open = new ArrayList<>();
            try {
                // Six in all, spread over three listeners: every one is served.
                for (String listener : List.of("smtp", "smtp", "pop3", "pop3", "imap", "imap")) {
                    SocketTransport client = new SocketTransport(hato.port(listener), false);
                    open.add(client);
                    assertThat(client.readLine()).as(listener).matches("\\* OK .*|\\+OK .*|220 .*");
                }
                try (SocketTransport refused = new SocketTransport(hato.port("submission"), false)) {
                    assertThat(refused.readLine()).startsWith("421 4.3.2 ").contains("Too many connections");
                    assertThat(refused.closedByServer()).isTrue();
                }
                try (SocketTransport refused = new SocketTransport(hato.port("imaps"), true)) {
                    assertThat(refused.readLine()).startsWith("* BYE [UNAVAILABLE] Too many connections");
                }
                try (SocketTransport refused = new SocketTransport(hato.port("pop3"), false)) {
                    assertThat(refused.readLine()).startsWith("-ERR [SYS/TEMP] Too many connections");
                }
                open.remove(0).close();
                String greeting = "";
                for (int attempt = 0; attempt < 20 && !greeting.startsWith("+OK"); attempt++) {
                    Thread.sleep(100);
                    try (SocketTransport again = new SocketTransport(hato.port("pop3"), false)) {
                        greeting = again.readLine();
                    }
                }
                assertThat(greeting).as("a freed place can be used again").startsWith("+OK");
            } finally {
                open.forEach(SocketTransport::close);
            }
        }
    }

    @Test
    void clientsFillingTheMtaPortShouldLeavePlacesForImapAndPop3() throws Exception {
        try (RunningHato hato = RunningHato.start(dataDir, "--hato.max-connections=4")) {
            List<SocketTransport> open = new ArrayList<>();
            try {
                // Slow senders on port 25 (no login there, so nothing sends them away soon) take every place they
                // are given, from as many addresses as they like.
                int served = 0;
                for (int i = 0; i < 4; i++) {
                    SocketTransport smtp = new SocketTransport(hato.port("smtp"), false);
                    open.add(smtp);
                    String greeting = smtp.readLine();
                    if (!greeting.startsWith("220 ")) {
                        assertThat(greeting).startsWith("421 4.3.2 ").contains("Too many connections");
                        break;
                    }
                    served++;
                }

                SocketTransport imap = new SocketTransport(hato.port("imap"), false);
                open.add(imap);
                assertThat(imap.readLine()).as("IMAP beside a full port 25").startsWith("* OK");
                SocketTransport pop = new SocketTransport(hato.port("pop3"), false);
                open.add(pop);
                assertThat(pop.readLine()).as("POP3 beside a full port 25").startsWith("+OK");
                assertThat(served).as("port 25 holds at most half of hato.max-connections").isEqualTo(2);
            } finally {
                open.forEach(SocketTransport::close);
            }
        }
    }
}
