package dev.hato.imap.session;

import dev.hato.delivery.MessageSpool;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.imap.wire.ImapCommandParser;
import dev.hato.imap.wire.ImapDecoded;
import dev.hato.imap.wire.ImapFramer;
import dev.hato.protocol.Action;
import dev.hato.store.mail.MailboxException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * The literals of the command being received (RFC 3501 §4.3, RFC 7888 LITERAL+): each command's literal is accepted
 * or refused when announced, held in memory up to {@code hato.imap.max-literal-size}, except the APPEND messages (RFC
 * 3502: one or more), each of which streams into its own {@link MessageSpool} while its MIME limits are checked as it
 * passes; the messages of one APPEND are bounded in number and octets together ({@link AppendBatch}).
 */
final class ImapLiterals {

    private final ImapSession session;
    private final ImapFramer framer;
    private final ImapCommandParser parser;

    /** Literals of the command being received, in line order; the APPEND messages are only counted. */
    private final List<byte[]> literals = new ArrayList<>();
    private @Nullable ByteArrayOutputStream literal;
    /**
     * The spools of the APPEND messages received so far (RFC 3502: one or more), in order, each with a facts reader
     * that checks its MIME limits as it is spooled (as SMTP does).
     */
    private final List<MessageSpool> appendSpools = new ArrayList<>();
    /** The spool the current literal streams into, or null when it is not an APPEND message. */
    private @Nullable MessageSpool currentSpool;
    /** The count and octets of this APPEND's messages so far, against their bounds; null outside an APPEND. */
    private @Nullable AppendBatch appendBatch;

    ImapLiterals(ImapSession session, ImapFramer framer, ImapCommandParser parser) {
        this.session = session;
        this.framer = framer;
        this.parser = parser;
    }

    /** RFC 3501 §7.5: {@code + } only when the literal is accepted; else the command is refused at once. */
    Flux<Action> start(ImapDecoded.LiteralStart start) {
        ImapSettings settings = session.settings();
        String prefix = start.prefix();
        int space = prefix.indexOf(' ');
        String tag = space < 0 ? "*" : prefix.substring(0, space);
        if (isAppendMessage(prefix)) {
            if (session.account() == null) {
                return refuse(session.bad(tag, "APPEND is not valid before login"));
            }
            AppendBatch batch = appendBatch;
            if (batch == null) {
                batch = AppendBatch.of(settings);
                appendBatch = batch;
            }
            // Messages already spooled hold up to the spool memory limit together; the rest go to files.
            int memory = (int) Math.max(0, settings.spoolMemoryLimit() - batch.octets());
            String refused = batch.admit(start.size());
            if (refused != null) {
                // RFC 3502: a refused message cancels the whole APPEND; the messages spooled before it are dropped.
                return refuse(ImapSession.tagged(tag, refused));
            }
            Flux<Action> refusal = start.synchronizing() ? appendRefusal(tag, prefix) : null;
            if (refusal != null) {
                // RFC 3501 §7.5: the client waits for "+"; a command already known to fail is refused instead, so
                // that the message is never sent.
                return refuse(refusal);
            }
            MessageSpool spool = new MessageSpool(settings.spoolDirectory(), memory, session.services().io(),
                    session.services().facts().reader(settings.messageLimits(), 0));
            appendSpools.add(spool);
            currentSpool = spool;
            literal = null;
        } else {
            currentSpool = null;
            if (start.size() > settings.maxLiteralSize()) {
                // Only an APPEND message may be larger than hato.imap.max-literal-size; say which command's
                // argument was too large, not APPENDLIMIT.
                return refuse(session.bad(tag, "[TOOBIG] Literal too large for " + commandName(prefix)
                        + ": at most " + settings.maxLiteralSize() + " octets outside an APPEND message"));
            }
            literal = new ByteArrayOutputStream((int) Math.min(start.size(), 64 * 1024));
        }
        return start.synchronizing() ? ImapSession.line("+ Ready for literal data") : Flux.empty();
    }

    Flux<Action> chunk(ImapDecoded.LiteralChunk chunk) {
        MessageSpool spool = currentSpool;
        if (spool != null) {
            return spool.append(chunk.bytes()).thenMany(Flux.<Action>empty());
        }
        ByteArrayOutputStream current = literal;
        if (current != null) {
            ByteBuffer bytes = chunk.bytes();
            current.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        }
        return Flux.empty();
    }

    void end() {
        ByteArrayOutputStream current = literal;
        literal = null;
        currentSpool = null;
        literals.add(current == null ? new byte[0] : current.toByteArray());
    }

    /** The command line is complete: its literals, in line order, handed over to the parser. */
    List<byte[]> take() {
        List<byte[]> lineLiterals = List.copyOf(literals);
        literals.clear();
        return lineLiterals;
    }

    /** The spools of the APPEND messages just received, in order, handed over with their command line; may be empty. */
    List<MessageSpool> takeSpools() {
        List<MessageSpool> spools = List.copyOf(appendSpools);
        appendSpools.clear();
        currentSpool = null;
        appendBatch = null;
        return spools;
    }

    /** The command is refused or the framing starts afresh: the literals held so far are dropped. */
    void clear() {
        literals.clear();
        literal = null;
    }

    /** Drops every message of the APPEND being received (RFC 3502: none is appended when one fails). */
    void discardAppend() {
        takeSpools().forEach(MessageSpool::discard);
    }

    /** Refuses the literal just announced: the command ends with {@code reply}, and nothing of it is kept. */
    private Flux<Action> refuse(Flux<Action> reply) {
        framer.refuseLiteral();
        literals.clear();
        discardAppend();
        return reply;
    }

    /**
     * Why an APPEND whose message literal is announced at the end of {@code prefix} will be refused whatever the
     * message holds (a flag that cannot be stored, a mailbox name that is not one); null when it may go ahead, or
     * when the prefix is not one this check reads (RFC 6855 {@code UTF8 (~{n}}), which the full command then checks.
     */
    private @Nullable Flux<Action> appendRefusal(String tag, String prefix) {
        List<byte[]> withMessage = new ArrayList<>(literals);
        withMessage.add(new byte[0]);
        ImapCommand early = parser.parse(prefix.getBytes(StandardCharsets.UTF_8), withMessage);
        if (!(early instanceof ImapCommand.Append append)) {
            return null;
        }
        for (ImapCommand.Append.Message message : append.messages()) {
            for (String flag : message.flags()) {
                if (StoreHandler.canonicalFlag(flag) == null) {
                    return session.bad(tag, "Invalid flag " + flag);
                }
            }
        }
        try {
            MailboxNames.fromWire(append.mailbox(), session.utf8());
        } catch (MailboxException e) {
            return ImapSession.refused(tag, e);
        }
        return null;
    }

    /**
     * Whether the literal announced at the end of {@code prefix} is an APPEND message: the command is APPEND and the
     * literal is not its first argument (the mailbox name, which may be a literal too).
     */
    private static boolean isAppendMessage(String prefix) {
        int first = prefix.indexOf(' ');
        if (first < 0) {
            return false;
        }
        int second = prefix.indexOf(' ', first + 1);
        if (second < 0 || !prefix.substring(first + 1, second).equalsIgnoreCase("APPEND")) {
            return false;
        }
        String rest = prefix.substring(second + 1);
        return !(rest.startsWith("{") && rest.indexOf(' ') < 0);
    }

    /** The command word of a command line's start ({@code UID SEARCH} with its UID), upper-cased, for replies. */
    private static String commandName(String prefix) {
        int start = prefix.indexOf(' ') + 1;
        int end = prefix.indexOf(' ', start);
        if (start == 0 || end < 0) {
            return "this command";
        }
        if (prefix.regionMatches(true, start, "UID ", 0, 4) && prefix.indexOf(' ', end + 1) > 0) {
            end = prefix.indexOf(' ', end + 1);
        }
        return prefix.substring(start, end).toUpperCase(java.util.Locale.ROOT);
    }
}
