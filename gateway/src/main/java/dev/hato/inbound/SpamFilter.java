package dev.hato.inbound;

import java.nio.ByteBuffer;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A spam filter that judges a message before the MTA port answers its {@code 250} (docs/inbound-authentication.md,
 * "Spam filter"). It never fails: a filter that cannot answer in time gives the verdict its settings name for an
 * outage ({@link SpamVerdict#unavailable}).
 */
public interface SpamFilter {

    /**
     * The envelope and connection of a message.
     *
     * @param queueId    the message's ID in the mail log
     * @param clientIp   the sending server's address
     * @param helo       the name it greeted with
     * @param sender     MAIL FROM (empty for the null reverse-path)
     * @param recipients the accepted RCPTs
     */
    record Request(String queueId, String clientIp, String helo, String sender, List<String> recipients) {

        public Request {
            recipients = List.copyOf(recipients);
        }
    }

    /** Judges {@code content} ({@code size} octets, streamed as it is spooled, read once). */
    Mono<SpamVerdict> check(Request request, Flux<ByteBuffer> content, long size);
}
