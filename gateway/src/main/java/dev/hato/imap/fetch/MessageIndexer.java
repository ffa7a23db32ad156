package dev.hato.imap.fetch;

import dev.hato.delivery.CheckedFactsReader;
import dev.hato.message.BaseSubject;
import dev.hato.message.EncodedWords;
import dev.hato.message.HeaderAddresses;
import dev.hato.message.HeaderSectionEnd;
import dev.hato.message.LimitBreach;
import dev.hato.message.MessageLimits;
import dev.hato.message.SearchText;
import dev.hato.message.MessageParser;
import dev.hato.message.MimeCharsets;
import dev.hato.message.SentDate;
import dev.hato.message.TextCollector;
import dev.hato.store.mail.FactsReader;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Parses a message once, in the pass that receives it (SMTP DATA and BDAT, IMAP APPEND, a report Hato writes: see
 * {@link #reader()}), into the {@link MessageFacts} kept beside its blob: the encoded {@link MessageStructure} for
 * FETCH, the decoded header and body text for SEARCH, and the RFC 5256 fields for SORT and THREAD. The received
 * octets feed one {@link MessageParser} as they arrive, which yields both the MIME tree (rendered for IMAP by
 * {@link StructureScanner#describe}) and the text: the message is never held whole and never read again. A message
 * stored without facts is read from the store by {@link #index(Flux, String)} the first time FETCH needs them.
 *
 * <p>Text for SEARCH is in {@link #searchForm(String) search form}: the header as {@code name: value} lines,
 * unfolded, RFC 2047 encoded words decoded (raw 8-bit header octets as UTF-8 (RFC 6532) or the charset they are in,
 * see {@link dev.hato.message.MimeCharsets#sniff}), an address field followed by a second line of its name with the
 * addresses as parsed when that reads differently (see {@link #addressSearchText}); the body as the text of
 * every text/* part, message/rfc822 parts included, transfer encoding undone, converted from the part's charset,
 * HTML reduced to its text, cut at {@code maxBodyChars} characters.
 *
 * <p>A message the parser fails on, whatever the reason, still gets facts: one opaque body after its header (see
 * {@link #reader()}), so that no message is refused, left unserved or parsed again because of a parser
 * bug.
 *
 * <p>Message ids in {@link MessageFacts.SortFields} keep their angle brackets ({@code <id@host>}); {@code from},
 * {@code to} and {@code cc} are the RFC 5256 addr-mailbox (the local part) of the first address, lower-cased;
 * {@code displayFrom} and {@code displayTo} are the RFC 5957 display names, decoded, or {@code local@domain} when an
 * address has none.
 */
public final class MessageIndexer {

    /** Body text kept for SEARCH: a mebibyte of characters, about 300 pages of plain text. */
    public static final int DEFAULT_MAX_BODY_CHARS = 1 << 20;

    /** Top-level header octets kept for SEARCH HEADER. */
    public static final int MAX_HEADER_OCTETS = 256 * 1024;

    /** Multipart and message/rfc822 levels described and searched by {@link #withDefaults}. */
    public static final int DEFAULT_MAX_DEPTH = 20;

    private static final int PREFETCH = 2;

    private static final Logger LOG = LoggerFactory.getLogger(MessageIndexer.class);

    private final StructureScanner scanner;
    private final Describe describe;
    private final Scheduler scheduler;
    private final int maxBodyChars;
    private final int maxDepth;

    /**
     * @param scanner the limits the structure is described within
     * @param scheduler where the parse runs, never an event loop (for example bounded elastic)
     * @param maxBodyChars how much body text is kept, at least 1
     * @param maxDepth how many multipart and message/rfc822 levels text is collected from, at least 1
     */
    public MessageIndexer(StructureScanner scanner, Scheduler scheduler, int maxBodyChars, int maxDepth) {
        this(scanner, parsed -> scanner.describe(parsed.root()), scheduler, maxBodyChars, maxDepth);
    }

    /** As the public constructor, with the parse described by {@code describe} (tests give one that fails). */
    MessageIndexer(StructureScanner scanner, Describe describe, Scheduler scheduler, int maxBodyChars, int maxDepth) {
        if (maxBodyChars < 1) {
            throw new IllegalArgumentException("maxBodyChars must be at least 1");
        }
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be at least 1");
        }
        this.scanner = scanner;
        this.describe = describe;
        this.scheduler = scheduler;
        this.maxBodyChars = maxBodyChars;
        this.maxDepth = maxDepth;
    }

    /**
     * The indexer Hato uses: structure described to 20 levels of nesting and 10,000 parts, header fields FETCH
     * reports up to the size of a whole header section the door accepts ({@link MessageLimits#DEFAULTS}, 256 KiB),
     * so that no field of an accepted message is left out; {@link #DEFAULT_MAX_BODY_CHARS} of body text; blocking
     * work on {@code scheduler}.
     */
    public static MessageIndexer withDefaults(Scheduler scheduler) {
        return new MessageIndexer(new StructureScanner(DEFAULT_MAX_DEPTH, MessageLimits.DEFAULTS.maxHeaderOctets(),
                MessageLimits.DEFAULTS.maxParts()), scheduler, DEFAULT_MAX_BODY_CHARS, DEFAULT_MAX_DEPTH);
    }

    /** The form in which SEARCH compares text and stored text is kept ({@link SearchText#form}). */
    public static String searchForm(String text) {
        return SearchText.form(text);
    }

    /**
     * The facts of {@code content}, named by its SHA-256 (the address of its blob) if the parser fails on it; past
     * the scanner's limits, those of its degraded structure.
     */
    public Mono<MessageFacts> index(MessageContent content) {
        return index(content.chunks(), "sha256:" + HexFormat.of().formatHex(content.sha256()));
    }

    /** {@link #index(Flux, String)} of a message without a name. */
    public Mono<MessageFacts> index(Flux<ByteBuffer> chunks) {
        return index(chunks, "a message");
    }

    /**
     * The facts of the message whose octets {@code chunks} emits in order, read by one {@link #reader(String)} on the
     * indexer's scheduler with at most {@link #PREFETCH} chunks queued: the message is never held. This is for
     * content already stored (a message kept before its facts were); what is received is read by a {@link #reader()}
     * in the pass that receives it. A failure to read {@code chunks} (store, spool, I/O) is not the message's fault
     * and is passed on.
     */
    public Mono<MessageFacts> index(Flux<ByteBuffer> chunks, String name) {
        return Mono.defer(() -> {
            FactsReader reader = reader(name);
            return chunks.subscribeOn(scheduler).publishOn(scheduler, PREFETCH)
                    .doOnNext(reader::feed)
                    .then(Mono.fromCallable(reader::finish));
        });
    }

    /**
     * A reader for one message as it is received: one {@link MessageParser} (structure and text to index together)
     * and, beside it, one {@link HeaderSectionEnd}, fed the same octets. A message the parser fails on (a bug, an input
     * nobody thought of) gets {@link #opaque} facts instead, and one WARN line: FETCH then serves it as one opaque body
     * and, once the facts are stored, neither FETCH nor SEARCH parses it again to fail once more.
     */
    public FactsReader reader() {
        return reader("a received message");
    }

    /**
     * As {@link #reader()}, for a message received at a door: its parser builds the tree within {@code limits} and
     * its {@link CheckedFactsReader#breach()} says which of them the message broke, the first {@code ownOctets} (the
     * receiving server's trace fields) not counted. The same pass parses, indexes and admits the message.
     */
    public CheckedFactsReader reader(MessageLimits limits, long ownOctets) {
        MessageParser parser = scanner.parserWithText(limits, MAX_HEADER_OCTETS, maxBodyChars, maxDepth);
        parser.exempt(ownOctets);
        return new Reader(parser, "a received message");
    }

    private FactsReader reader(String name) {
        return new Reader(scanner.parserWithText(null, MAX_HEADER_OCTETS, maxBodyChars, maxDepth), name);
    }

    /** The {@link FactsReader} of {@link #reader()}: the parser until it fails, the header end always. */
    private final class Reader implements CheckedFactsReader {
        private final MessageParser parser;
        private final HeaderSectionEnd headerEnd = new HeaderSectionEnd();
        private final String name;
        private @Nullable Throwable failure;

        Reader(MessageParser parser, String name) {
            this.parser = parser;
            this.name = name;
        }

        @Override
        public void feed(ByteBuffer chunk) {
            headerEnd.scan(chunk);
            if (failure == null) {
                guarded(() -> parser.feed(chunk));
            }
        }

        /**
         * Ends the parse and says what it found; a parser that failed has checked the octets before its failure,
         * and says what it found in them.
         */
        @Override
        public @Nullable LimitBreach breach() {
            if (failure == null) {
                guarded(parser::end);
            }
            return parser.breach();
        }

        @Override
        public boolean eightBitHeader() {
            return parser.eightBitHeader();
        }

        @Override
        public MessageFacts finish(byte[] head) {
            MessageFacts facts = finish();
            if (head.length == 0) {
                return facts;
            }
            MessageStructure moved;
            try {
                moved = MessageStructure.decode(facts.structure()).prepended(head.length);
            } catch (IllegalArgumentException e) {
                return facts; // not reached: the structure was encoded just now
            }
            String fields = new String(head, java.nio.charset.StandardCharsets.UTF_8).replace("\r\n\t", " ")
                    .replace("\r\n ", " ").replace("\r\n", "\n").replaceFirst(":\\s*", ": ");
            return new MessageFacts(moved.encode(), searchForm(fields) + facts.headerText(), facts.bodyText(),
                    facts.sort(), facts.preview());
        }

        @Override
        public MessageFacts finish() {
            if (failure == null) {
                MessageFacts facts = guarded(() -> {
                    MessageParser.Parsed parsed = parser.finish();
                    return facts(describe.describe(parsed), parsed.topFields(), parsed.bodyText(), parsed.preview());
                });
                if (facts != null) {
                    return facts;
                }
            }
            LOG.warn("{} could not be parsed, described as one opaque body: {}", name, String.valueOf(failure));
            return opaque(headerEnd);
        }

        /**
         * Runs parser work; a bug in it is kept as the failure, and null returned. A StackOverflowError would
         * otherwise escape Reactor (a fatal error is thrown, not signalled) and leave the caller waiting forever; it
         * unwinds here, so the thread is fine to go on.
         */
        private <T> @Nullable T guarded(Supplier<T> work) {
            try {
                return work.get();
            } catch (RuntimeException | StackOverflowError bug) {
                failure = bug;
                return null;
            }
        }
    }

    /**
     * Facts for a message the parser failed on: the {@link StructureScanner#opaque} structure, its body starting
     * after the first empty line (the whole message when there is none) as {@code headerEnd} found it; no text for
     * SEARCH, an empty preview and empty sort fields, as nothing of the header is trusted.
     */
    private static MessageFacts opaque(HeaderSectionEnd headerEnd) {
        return new MessageFacts(StructureScanner.opaque(Math.max(0, headerEnd.bodyStart()), headerEnd.position())
                .encode(), "", "", new MessageFacts.SortFields("", "", "", "", null, null, List.of(), null, null), "");
    }

    private static MessageFacts facts(MessageStructure structure, List<TextCollector.Field> topFields,
                                      String bodyText, String preview) {
        StringBuilder header = new StringBuilder();
        String subject = null;
        String from = null;
        String to = null;
        String cc = null;
        String date = null;
        String messageId = null;
        String references = null;
        String inReplyTo = null;
        for (TextCollector.Field field : topFields) {
            String value = decoded(field.value());
            header.append(field.name()).append(": ").append(value).append('\n');
            String addresses = addressSearchText(field);
            if (addresses != null && !addresses.isEmpty() && !addresses.equals(value)) {
                header.append(field.name()).append(": ").append(addresses).append('\n');
            }
            switch (field.name().toLowerCase(Locale.ROOT)) {
                case "subject" -> subject = subject == null ? value : subject;
                case "from" -> from = from == null ? field.value() : from;
                case "to" -> to = to == null ? field.value() : to;
                case "cc" -> cc = cc == null ? field.value() : cc;
                case "date" -> date = date == null ? field.value() : date;
                case "message-id" -> messageId = messageId == null ? field.value() : messageId;
                case "references" -> references = references == null ? field.value() : references;
                case "in-reply-to" -> inReplyTo = inReplyTo == null ? field.value() : inReplyTo;
                default -> { }
            }
        }
        HeaderAddresses.Mailbox fromBox = HeaderAddresses.first(from);
        HeaderAddresses.Mailbox toBox = HeaderAddresses.first(to);
        List<String> ids = HeaderAddresses.messageIds(messageId);
        // RFC 5256 §3 REFERENCES: References, else the first valid msg-id of In-Reply-To
        List<String> parents = HeaderAddresses.messageIds(references);
        if (parents.isEmpty()) {
            List<String> replyTo = HeaderAddresses.messageIds(inReplyTo);
            parents = replyTo.isEmpty() ? List.of() : List.of(replyTo.get(0));
        }
        MessageFacts.SortFields sort = new MessageFacts.SortFields(
                BaseSubject.of(subject == null ? "" : subject), mailboxName(fromBox), mailboxName(toBox),
                mailboxName(HeaderAddresses.first(cc)), SentDate.parse(date), ids.isEmpty() ? null : ids.get(0),
                parents, display(fromBox), display(toBox));
        return new MessageFacts(structure.encode(), searchForm(header.toString()), searchForm(bodyText),
                sort, preview);
    }

    /**
     * For an address field, its addresses as SEARCH FROM, TO, CC and BCC compare them ({@link
     * EnvelopeAddresses#searchText}: the envelope's reading, names decoded and single-spaced, local parts unquoted),
     * kept as a second line of the same name beside the field's own decoded value, which HEADER searches ("what
     * comes after the colon"); null for other fields.
     */
    private static @Nullable String addressSearchText(TextCollector.Field field) {
        return switch (field.name().toLowerCase(Locale.ROOT)) {
            case "from", "sender", "reply-to", "to", "cc", "bcc" -> {
                byte[] octets = field.value().getBytes(StandardCharsets.ISO_8859_1);
                yield EnvelopeAddresses.searchText(MimeCharsets.utf8OrLatin(octets, 0, octets.length)).strip();
            }
            default -> null;
        };
    }

    /** A raw header value (octets one per char) as text: 8-bit octets as UTF-8, encoded words decoded, trimmed. */
    static String decoded(String raw) {
        byte[] octets = raw.getBytes(StandardCharsets.ISO_8859_1);
        return EncodedWords.decode(MimeCharsets.utf8OrLatin(octets, 0, octets.length)).strip();
    }

    /** RFC 5256 §3: the addr-mailbox (local part) of the first address, lower-cased; empty without one. */
    private static String mailboxName(HeaderAddresses.@Nullable Mailbox mailbox) {
        if (mailbox == null) {
            return "";
        }
        String address = decoded(mailbox.address());
        int at = address.lastIndexOf('@');
        String local = at >= 0 ? address.substring(0, at) : address;
        if (local.length() >= 2 && local.startsWith("\"") && local.endsWith("\"")) {
            local = local.substring(1, local.length() - 1);
        }
        return local.toLowerCase(Locale.ROOT);
    }

    /** RFC 5957 §4: the decoded display name, or the address when there is none. */
    private static @Nullable String display(HeaderAddresses.@Nullable Mailbox mailbox) {
        if (mailbox == null) {
            return null;
        }
        String name = mailbox.displayName() == null ? "" : decoded(mailbox.displayName());
        return name.isBlank() ? decoded(mailbox.address()) : name;
    }

    /** How a parsed message becomes its IMAP structure: {@link StructureScanner#describe}. */
    @FunctionalInterface
    interface Describe {
        MessageStructure describe(MessageParser.Parsed parsed);
    }
}
