package dev.hato.imap.session;

import dev.hato.imap.fetch.FetchOptions;
import dev.hato.imap.fetch.FetchRenderer;
import dev.hato.imap.wire.FetchAttribute;
import dev.hato.store.mail.MessageMeta;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What the session asks of the FETCH renderer ({@code dev.hato.imap.fetch}): one whole {@code * n FETCH (...)}
 * response, CRLF included, streamed so that a large body never sits in memory.
 */
public interface FetchResponder {

    /**
     * @param sequence the message's sequence number in this session
     * @param options what to add beyond the requested attributes
     */
    Flux<ByteBuffer> fetch(MessageMeta message, long sequence, List<FetchAttribute> attributes, Options options,
                           FetchRenderer.Prefetched window);

    /**
     * Reads ahead, for a window of the messages one FETCH names, what rendering them needs from the store (one query
     * for all their structures, one for their headers), to be handed to {@link #fetch} for each of them.
     */
    Mono<FetchRenderer.Prefetched> prefetch(List<MessageMeta> messages, List<FetchAttribute> attributes);

    /** Whether fetching these attributes sets \Seen (RFC 3501 §6.4.5: BODY[...] and RFC822, not .PEEK). */
    boolean setsSeen(List<FetchAttribute> attributes);

    /**
     * @param uid add UID (UID FETCH, RFC 3501 §6.4.8; or QRESYNC, RFC 7162 §3.2.4)
     * @param modseq add MODSEQ (CONDSTORE enabled or CHANGEDSINCE given, RFC 7162 §3.1.4)
     * @param flags add FLAGS even if not asked for: the fetch set \Seen (RFC 3501 §6.4.5 says the new flags SHOULD
     *     then be sent)
     * @param extraFlags flags the store does not keep but FLAGS shows: \Recent for this session
     */
    record Options(boolean uid, boolean modseq, boolean flags, Set<String> extraFlags) {
        public Options {
            extraFlags = Set.copyOf(extraFlags);
        }
    }

    /** The {@code imap.fetch} renderer; \Recent, which the store does not keep, is shown by adding it to FLAGS. */
    static FetchResponder of(FetchRenderer renderer) {
        return new FetchResponder() {
            @Override
            public Flux<ByteBuffer> fetch(MessageMeta message, long sequence, List<FetchAttribute> attributes,
                                          Options options, FetchRenderer.Prefetched window) {
                MessageMeta shown = message;
                if (!options.extraFlags().isEmpty()) {
                    Set<String> flags = new HashSet<>(message.flags());
                    flags.addAll(options.extraFlags());
                    shown = new MessageMeta(message.accountId(), message.mailboxId(), message.uid(), message.modseq(),
                            message.blobId(), message.size(), message.internalDate(), flags);
                }
                return renderer.render(sequence, shown, attributes,
                        new FetchOptions(options.uid(), options.modseq(), options.flags()), window);
            }

            @Override
            public Mono<FetchRenderer.Prefetched> prefetch(List<MessageMeta> messages,
                                                           List<FetchAttribute> attributes) {
                return renderer.prefetch(messages, attributes);
            }

            @Override
            public boolean setsSeen(List<FetchAttribute> attributes) {
                return FetchRenderer.setsSeen(attributes);
            }
        };
    }
}
