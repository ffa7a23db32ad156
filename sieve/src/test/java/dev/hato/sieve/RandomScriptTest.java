package dev.hato.sieve;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random scripts from the grammar over hostile messages (odd dates, groups, encoded words, truncated parts), seeded
 * and bounded to 10 s: compiling may only refuse with a {@link CompileException}, evaluating may only give an
 * {@link Outcome} with at least one action, and never the engine's own failure ("the engine failed").
 */
class RandomScriptTest {

    private static final String[] REQUIRE = {"fileinto", "envelope", "copy", "subaddress", "relational",
        "encoded-character", "imap4flags", "reject", "vacation", "vacation-seconds", "date", "index", "regex",
        "mailbox", "variables", "body", "comparator-i;ascii-numeric", "comparator-i;unicode-casemap"};

    private static final String[] STRINGS = {"\"\"", "\"a\"", "\"*\"", "\"?\"", "\"${1}\"", "\"${x}\"", "\"${0}\"",
        "\"\\\\\"", "\"*a*?*\"", "\"from\"", "\"to\"", "\"subject\"", "\"date\"", "\"x@y.example\"", "\"year\"",
        "\"julian\"", "\"std11\"", "\"iso8601\"", "\"zone\"", "\"weekday\"", "\"(a|b)*c\"", "\"[[:alpha:]]+\"",
        "\"^$\"", "\"\\\\1\"", "\"${hex:41 42}\"", "\"${unicode:1F600}\"", "\"text\"", "\"text/html\"", "\"multipart\"",
        "\"message/rfc822\"", "\"\\\\Seen \\\\Flagged kw\"", "\"9999999999999999999999\"", "\"-1\"", "\"gt\"",
        "\"${x}${x}${x}\"", "[\"a\",\"b\"]", "[\"from\",\"to\",\"cc\"]", "\"INBOX\"", "\"${2}${9}\"", "\"(\"",
        "\"a{2,1}\"", "\"[\"", "\"+0900\"", "\"\\\\\\\\\"", "\"x-number\"", "\"content-type\""};

    private static final String[] TAGS = {":is", ":contains", ":matches", ":regex", ":value \"gt\"",
        ":count \"ge\"", ":value \"eq\"", ":comparator \"i;ascii-numeric\"", ":comparator \"i;octet\"",
        ":comparator \"i;unicode-casemap\"", ":all", ":localpart", ":domain", ":user", ":detail", ":index 1",
        ":index 2 :last", ":zone \"-1200\"", ":originalzone", ":raw", ":text", ":content \"text\"",
        ":content \"\"", ":lower", ":upper", ":length", ":quotewildcard", ":upperfirst", ":copy", ":create",
        ":flags \"\\\\Seen\"", ":days 1", ":seconds 0", ":mime", ":subject \"s\"", ":handle \"h\""};

    private static final String[] TESTS = {"header", "address", "envelope", "exists", "size :over", "size :under",
        "true", "false", "date", "currentdate", "body", "string", "hasflag", "mailboxexists", "not", "anyof", "allof"};

    private static final String[] COMMANDS = {"keep", "discard", "stop", "fileinto", "redirect", "reject", "vacation",
        "set", "setflag", "addflag", "removeflag", "if", "ereject"};

    private final Random random = new Random(42);

    private String pick(String[] from) {
        return from[random.nextInt(from.length)];
    }

    private String args(int n) {
        StringBuilder s = new StringBuilder();
        int tags = random.nextInt(3);
        for (int i = 0; i < tags; i++) {
            s.append(' ').append(pick(TAGS));
        }
        for (int i = 0; i < n; i++) {
            s.append(' ').append(random.nextInt(15) == 0 ? Integer.toString(random.nextInt(5000)) : pick(STRINGS));
        }
        return s.toString();
    }

    private String test(int depth) {
        String name = pick(TESTS);
        return switch (name) {
            case "not" -> depth > 3 ? "true" : "not " + test(depth + 1);
            case "anyof", "allof" -> depth > 3 ? "false" : name + "(" + test(depth + 1) + ", " + test(depth + 1) + ")";
            case "size :over", "size :under" -> name + " " + random.nextInt(10000);
            case "true", "false" -> name;
            case "date" -> name + args(3);
            case "exists", "hasflag", "mailboxexists", "currentdate" -> name + args(1 + random.nextInt(2));
            default -> name + args(2);
        };
    }

    private String command(int depth) {
        String name = pick(COMMANDS);
        return switch (name) {
            case "if" -> depth > 3 ? "keep;" : "if " + test(0) + " {\n" + block(depth + 1) + "}"
                    + (random.nextBoolean() ? " else {\n" + block(depth + 1) + "}" : "");
            case "keep", "discard", "stop" -> name + args(0) + ";";
            case "set" -> "set" + args(0) + " \"x\"" + args(1) + ";";
            default -> name + args(1) + ";";
        };
    }

    private String block(int depth) {
        StringBuilder s = new StringBuilder();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            s.append(command(depth)).append('\n');
        }
        return s.toString();
    }

    private String script() {
        StringBuilder s = new StringBuilder("require [");
        List<String> req = new ArrayList<>();
        for (String r : REQUIRE) {
            if (random.nextInt(4) != 0) {
                req.add("\"" + r + "\"");
            }
        }
        s.append(String.join(",", req)).append("];\n");
        s.append(block(0));
        return s.toString();
    }

    private static final String[] HEADER_VALUES = {"", " ", "=?UTF-8?B?5Lya6K2w?=", "=?utf-8?q?=E4=BC?= =?utf-8?q?=9A?=",
        "=?ISO-2022-JP?B?GyRCMnFEPBsoQg==?=", "\"a b\" <a@b>", "<>", "a@", "@b", "group: a@b, c@d;", "group:;",
        "(comment (nested) a@b) x@y", "\"unterminated", "<a@b", "a+b+c@d.example", "Mon, 7 Dec 2026 10:00:00 +0900",
        "31 Dec 999999999 23:59:59 -1800", "1 Jan 0 00:00 +1800", "Tue, 99 Foo 2021 99:99:99 +9999",
        "32 Jan 2020 25:61:61 -0000", "=?x?B?***?=", "=?UTF-8?Q?" + "=FF".repeat(20) + "?=", "\u00e9\u00e8",
        "a".repeat(5000), "a@b.example, ".repeat(200), "\t\t", "=?utf-8?b?", "Date: x", "Mon, 7 Dec 2026 10:00 +09",
        "7 Dec 26 10:00:60 Z", "7 dec 1 10:00:00 +0000"};

    private static final String[] NAMES = {"From", "To", "Cc", "Subject", "Date", "X-Number", "Content-Type",
        "Sender", "Reply-To", "Resent-From"};

    private byte[] message() {
        StringBuilder m = new StringBuilder();
        int n = random.nextInt(8);
        for (int i = 0; i < n; i++) {
            m.append(NAMES[random.nextInt(NAMES.length)]).append(": ")
                    .append(HEADER_VALUES[random.nextInt(HEADER_VALUES.length)]).append("\r\n");
        }
        if (random.nextBoolean()) {
            m.append("Content-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\nContent-Type: text/html\r\n"
                    + "Content-Transfer-Encoding: base64\r\n\r\nPGI+aGk8L2I+\r\n--b\r\nContent-Type: message/rfc822\r\n"
                    + (random.nextBoolean() ? "\r\nSubject: inner\r\n" : "\r\nSubject: inner\r\n\r\nbody\r\n")
                    + (random.nextBoolean() ? "--b--\r\nepi\r\n" : ""));
        } else if (random.nextBoolean()) {
            m.append("\r\nbody text\r\n");
        }
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void randomScriptsShouldOnlyEverCompileFailOrGiveAnOutcome() {
        Map<String, String> crashes = new LinkedHashMap<>();
        int compiled = 0;
        long deadline = System.nanoTime() + 10_000_000_000L; // bounded: 10 s
        for (int i = 0; i < 200_000 && System.nanoTime() < deadline; i++) {
            String script = script();
            CompiledScript c;
            try {
                c = SieveCompiler.compile(script);
            } catch (CompileException e) {
                continue;
            } catch (Throwable t) {
                crashes.putIfAbsent("compile " + t, script);
                continue;
            }
            compiled++;
            for (int j = 0; j < 3; j++) {
                byte[] message = message();
                try {
                    Outcome o = new SieveInterpreter("+", java.time.Clock.systemUTC()).evaluate(c,
                            HeaderMessage.of(message, message.length, random.nextBoolean() ? "" : "s@x.example",
                                    "u+d@x.example"), name -> name.equals("A"), new Budget(1_000_000, 2_000_000_000L));
                    if (o.actions().isEmpty()) {
                        crashes.putIfAbsent("empty outcome", script);
                    }
                    if (o.failed() && o.failure().startsWith("the engine failed")) {
                        crashes.putIfAbsent(o.failure(), script + "\n---\n" + new String(message, StandardCharsets.UTF_8));
                    }
                } catch (Throwable t) {
                    StackTraceElement[] st = t.getStackTrace();
                    String where = st.length > 0 ? st[0] + " / " + (st.length > 6 ? st[6] : "") : "";
                    crashes.putIfAbsent("evaluate " + t.getClass().getName() + " at " + where, script + "\n---\n"
                            + new String(message, StandardCharsets.UTF_8));
                }
            }
        }
        crashes.forEach((k, v) -> System.out.println("=== " + k + "\n" + v + "\n"));
        if (!crashes.isEmpty()) {
            throw new AssertionError(crashes.size() + " crash kinds: " + crashes.keySet());
        }
    }
}
