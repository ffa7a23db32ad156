package dev.hato.web.compose;

import dev.hato.web.login.WebUser;
import java.nio.ByteBuffer;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Declared here, implemented by the gateway: sends a message written in webmail the way SMTP submission sends one,
 * as the logged-in person (their sending limits, the delivery pipeline, the outbound queue and its DKIM signature),
 * and keeps a copy in their Sent folder. Never blocks the caller's thread; every refusal is a {@link Result}.
 */
public interface MailSubmission {

    /** The largest message accepted, in octets (the submission port's SIZE). */
    long maxMessageSize();

    /**
     * @param recipients the envelope recipients (To, Cc and Bcc), addresses only
     * @param message the whole message (RFC 5322, CRLF line endings), streamed; subscribed to once
     */
    Mono<Result> submit(WebUser sender, String clientAddress, List<String> recipients, Flux<ByteBuffer> message);

    /**
     * Keeps {@code message} in the person's Drafts folder (the one marked {@code \Drafts}, made as {@code Drafts} if
     * there is none), flagged {@code \Draft} and {@code \Seen}, in place of the draft {@code replacing} (a UID in
     * that folder, or null): the UID it got there.
     */
    Mono<Long> saveDraft(WebUser sender, Flux<ByteBuffer> message, @Nullable Long replacing);

    /** Removes a draft once its message was sent (nothing when it is gone already). */
    Mono<Void> discardDraft(WebUser sender, long uid);

    /** How a submission went. */
    sealed interface Result permits Sent, Refused { }

    /** Accepted for every recipient: stored for the local ones, queued for the others; a copy is in Sent. */
    record Sent(int recipients) implements Result { }

    /**
     * Not sent (nothing was, to anyone): {@code reason} is for the person (the SMTP reply text where there is one),
     * {@code temporary} when trying again later may work.
     */
    record Refused(String reason, boolean temporary) implements Result { }
}
