package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import reactor.core.publisher.Flux;

/** The commands that change the byte stream under the conversation: STARTTLS (RFC 3501 §6.2.1), COMPRESS. */
final class TransportHandler {

    private final ImapSession session;

    TransportHandler(ImapSession session) {
        this.session = session;
    }

    Flux<Action> startTls(ImapCommand.StartTls command) {
        String tag = command.tag();
        boolean tls = session.tls();
        if (tls || !session.settings().startTlsOffered()) {
            return session.bad(tag, tls ? "TLS is already active" : "STARTTLS is not available on this port");
        }
        // RFC 3501 §6.2.1: whatever the client pipelined after STARTTLS is dropped, not read as if it came over TLS.
        session.startTls();
        return Flux.just(new Action.StartTls(ByteBuffer.wrap((tag + " OK Begin TLS negotiation now\r\n")
                .getBytes(StandardCharsets.US_ASCII))));
    }

    /** RFC 4978 §3: DEFLATE from the next octet on, in both directions; pipelined input is not read. */
    Flux<Action> compress(ImapCommand.Compress compress) {
        String tag = compress.tag();
        if (!compress.mechanism().equals("DEFLATE")) {
            return session.bad(tag, "Unknown compression mechanism");
        }
        if (session.compressed()) {
            return session.no(tag, "[COMPRESSIONACTIVE] Compression is already active");
        }
        session.compress();
        return Flux.just(new Action.Compress(ByteBuffer.wrap((tag + " OK DEFLATE active\r\n")
                .getBytes(StandardCharsets.US_ASCII))));
    }
}
