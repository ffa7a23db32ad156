package dev.hato.imap.wire;

import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns one complete frame from {@link ImapFramer} into an {@link ImapCommand}, following the ABNF of RFC 3501 §9
 * (and RFC 9051 where compatible). A syntax error is an {@link ImapCommand.Invalid}, never an exception to the
 * caller. Stateless apart from its limit, so one instance can serve every connection.
 *
 * <p>The frame's line still holds each literal's announcement ({@code {n}} / {@code {n+}}); the literal contents are
 * passed alongside, in line order. The APPEND message literal is only counted (the session streamed it elsewhere),
 * so its entry may be empty.
 *
 * <p>This class reads the tag and the command name and parses the small commands itself; the arguments of each
 * command family are parsed by their own class over an {@link ImapCursor}: {@link MailboxArguments},
 * {@link AppendArguments}, {@link SearchArguments}, {@link FetchArguments}, {@link StoreArguments}.
 */
public final class ImapCommandParser {

    private final int maxNestingDepth;

    /** @param maxNestingDepth how deep parenthesised lists and NOT/OR may nest in one command */
    public ImapCommandParser(int maxNestingDepth) {
        if (maxNestingDepth < 1) {
            throw new IllegalArgumentException("maxNestingDepth out of range: " + maxNestingDepth);
        }
        this.maxNestingDepth = maxNestingDepth;
    }

    /** Parses a line without literals. */
    public ImapCommand parse(byte[] line) {
        return parse(line, List.of());
    }

    public ImapCommand parse(byte[] line, List<byte[]> literals) {
        ImapCursor c = new ImapCursor(line, literals, maxNestingDepth);
        String tag = c.tag();
        if (tag == null || !(c.atEnd() || c.peek() == ' ')) {
            return new ImapCommand.Invalid("*", "Missing or invalid tag");
        }
        try {
            if (!c.sp()) {
                throw new ImapSyntaxError("Missing command");
            }
            ImapCommand command = command(c, tag, c.atom().toUpperCase(Locale.ROOT));
            if (!c.atEnd()) {
                throw new ImapSyntaxError("Unexpected characters at end of command");
            }
            if (c.literalIndex() != literals.size()) {
                throw new ImapSyntaxError("Literal count does not match the line");
            }
            return command;
        } catch (ImapSyntaxError e) {
            return new ImapCommand.Invalid(tag, e.getMessage());
        } catch (IllegalArgumentException | DateTimeException e) {
            return new ImapCommand.Invalid(tag, "Invalid argument: " + e.getMessage());
        }
    }

    private static ImapCommand command(ImapCursor c, String tag, String name) {
        return switch (name) {
            case "CAPABILITY" -> new ImapCommand.Capability(tag);
            case "NOOP" -> new ImapCommand.Noop(tag);
            case "LOGOUT" -> new ImapCommand.Logout(tag);
            case "STARTTLS" -> new ImapCommand.StartTls(tag);
            case "CHECK" -> new ImapCommand.Check(tag);
            case "CLOSE" -> new ImapCommand.Close(tag);
            case "UNSELECT" -> new ImapCommand.Unselect(tag);
            case "EXPUNGE" -> new ImapCommand.Expunge(tag);
            case "IDLE" -> new ImapCommand.Idle(tag);
            case "NAMESPACE" -> new ImapCommand.Namespace(tag);
            case "AUTHENTICATE" -> authenticate(c, tag);
            case "LOGIN" -> {
                c.requireSp();
                String user = c.astring();
                c.requireSp();
                yield new ImapCommand.Login(tag, user, c.astring());
            }
            case "SELECT", "EXAMINE" -> MailboxArguments.select(c, tag, name);
            case "CREATE" -> new ImapCommand.Create(tag, c.spAstring());
            case "DELETE" -> new ImapCommand.Delete(tag, c.spAstring());
            case "RENAME" -> {
                String from = c.spAstring();
                yield new ImapCommand.Rename(tag, from, c.spAstring());
            }
            case "SUBSCRIBE" -> new ImapCommand.Subscribe(tag, c.spAstring(), true);
            case "UNSUBSCRIBE" -> new ImapCommand.Subscribe(tag, c.spAstring(), false);
            case "LIST" -> MailboxArguments.list(c, tag);
            case "LSUB" -> MailboxArguments.lsub(c, tag);
            case "STATUS" -> MailboxArguments.status(c, tag);
            case "APPEND" -> AppendArguments.append(c, tag);
            case "SEARCH" -> SearchArguments.search(c, tag, false);
            case "SORT" -> SearchArguments.sort(c, tag, false);
            case "THREAD" -> SearchArguments.thread(c, tag, false);
            case "FETCH" -> FetchArguments.fetch(c, tag, false);
            case "STORE" -> StoreArguments.store(c, tag, false);
            case "COPY" -> MailboxArguments.copy(c, tag, false, false);
            case "MOVE" -> MailboxArguments.copy(c, tag, false, true);
            case "UID" -> {
                c.requireSp();
                String sub = c.atom().toUpperCase(Locale.ROOT);
                yield switch (sub) {
                    case "SEARCH" -> SearchArguments.search(c, tag, true);
                    case "SORT" -> SearchArguments.sort(c, tag, true);
                    case "THREAD" -> SearchArguments.thread(c, tag, true);
                    case "FETCH" -> FetchArguments.fetch(c, tag, true);
                    case "STORE" -> StoreArguments.store(c, tag, true);
                    case "COPY" -> MailboxArguments.copy(c, tag, true, false);
                    case "MOVE" -> MailboxArguments.copy(c, tag, true, true);
                    case "EXPUNGE" -> {
                        c.requireSp();
                        yield new ImapCommand.UidExpunge(tag, c.sequenceSet());
                    }
                    default -> throw new ImapSyntaxError("Unknown UID command " + sub);
                };
            }
            case "ENABLE" -> {
                List<String> capabilities = new ArrayList<>();
                while (c.sp()) {
                    capabilities.add(c.atom().toUpperCase(Locale.ROOT));
                }
                if (capabilities.isEmpty()) {
                    throw new ImapSyntaxError("ENABLE needs a capability");
                }
                yield new ImapCommand.Enable(tag, capabilities);
            }
            case "ID" -> id(c, tag);
            case "GETQUOTA" -> new ImapCommand.GetQuota(tag, c.spAstring());
            case "GETQUOTAROOT" -> new ImapCommand.GetQuotaRoot(tag, c.spAstring());
            case "SETQUOTA" -> {
                String root = c.spAstring();
                c.requireSp();
                yield new ImapCommand.SetQuota(tag, root, upper(c.atomList()));
            }
            case "COMPRESS" -> {
                c.requireSp();
                yield new ImapCommand.Compress(tag, c.atom().toUpperCase(Locale.ROOT));
            }
            default -> throw new ImapSyntaxError("Unknown command " + name);
        };
    }

    private static ImapCommand authenticate(ImapCursor c, String tag) {
        c.requireSp();
        String mechanism = c.atom().toUpperCase(Locale.ROOT);
        String initial = null;
        if (c.sp()) {
            // RFC 4959 §3: initial-resp = base64 / "="
            initial = c.takeWhile(b -> isBase64(b) || b == '=');
            if (initial.isEmpty() || (initial.contains("=") && !initial.equals("=") && !validPadding(initial))) {
                throw new ImapSyntaxError("Invalid initial response");
            }
        }
        return new ImapCommand.Authenticate(tag, mechanism, initial);
    }

    private static ImapCommand id(ImapCursor c, String tag) {
        c.requireSp();
        Map<String, @Nullable String> parameters = new LinkedHashMap<>();
        if (c.peekWord("NIL")) {
            c.atom();
            return new ImapCommand.Id(tag, parameters);
        }
        c.open();
        if (c.peek() != ')') {
            do {
                String key = c.string();
                c.requireSp();
                String value = c.nstring();
                // RFC 2971 §3.3: at most 30 pairs, field strings at most 30 octets, values at most 1024 octets. The
                // limits bind the client ("MUST NOT"); one over them sent arguments the RFC rules out, so BAD
                // (RFC 3501 §6: arguments invalid), and the connection stays.
                if (parameters.size() >= 30) {
                    throw new ImapSyntaxError("ID with more than 30 field-value pairs (RFC 2971 §3.3)");
                }
                if (octets(key) > 30 || (value != null && octets(value) > 1024)) {
                    throw new ImapSyntaxError("ID field over 30 or value over 1024 octets (RFC 2971 §3.3)");
                }
                parameters.put(key, value);
            } while (c.sp());
        }
        c.close();
        return new ImapCommand.Id(tag, parameters);
    }

    private static int octets(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    static List<String> upper(List<String> words) {
        return words.stream().map(w -> w.toUpperCase(Locale.ROOT)).toList();
    }

    private static boolean isBase64(int b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/';
    }

    private static boolean validPadding(String text) {
        int firstPad = text.indexOf('=');
        return text.length() % 4 == 0 && text.length() - firstPad <= 2
                && text.substring(firstPad).chars().allMatch(ch -> ch == '=');
    }

    /**
     * RFC 3501 §9 ATOM-CHAR: any CHAR except atom-specials "(" ")" "{" SP CTL "%" "*" DQUOTE "\" "]". Octets over
     * 0x7F are accepted too, for RFC 9051 UTF-8 mailbox names sent as atoms by deployed clients.
     */
    static boolean isAtomChar(int b) {
        int u = b & 0xFF;
        return u > 0x20 && u != 0x7F && u != '(' && u != ')' && u != '{' && u != '%' && u != '*' && u != '"'
                && u != '\\' && u != ']';
    }

    /** RFC 3501 §9 ASTRING-CHAR = ATOM-CHAR / resp-specials. */
    static boolean isAstringChar(int b) {
        return isAtomChar(b) || b == ']';
    }

    /** RFC 3501 §9 list-char = ATOM-CHAR / list-wildcards / resp-specials. */
    static boolean isListChar(int b) {
        return isAstringChar(b) || b == '%' || b == '*';
    }
}
