package dev.hato.bench;

import ch.qos.logback.classic.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.james.mime4j.util.MimeUtil;
import org.apache.jsieve.SieveFactory;
import org.apache.jsieve.mail.MailAdapter;
import org.apache.jsieve.parser.generated.Node;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.LoggerFactory;

/**
 * Apache jSieve 0.8 as is (ADR 0011 draft): {@code parse} is the compile step (javacc parse plus jSieve's
 * validation visitor) of {@link JsieveFixtures#SCRIPT}; {@code evaluateJapanese} evaluates the parsed tree against
 * the 10 KiB multipart Japanese message (rule 19 matches on its ISO-2022-JP subject: 19 rules evaluated),
 * {@code evaluatePlain} against the 10 KiB plain message (no rule matches: 20 rules and the implicit keep).
 *
 * <p>{@code floor*} run the same 20 conditions as a list of Java predicates built once, with the same decoding
 * (mime4j's {@code MimeUtil.unscrambleHeaderValue}), the same case mapping ({@code toUpperCase}) and the same
 * addresses (the adapter's: address fields parsed once per message, as delivery already has them): what the
 * matching itself costs, about what a compiled form costs, so the difference is jSieve's interpretation. The
 * org.apache.jsieve loggers are set to INFO, as a server runs them.
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class JsieveBenchmark {

    static final int SIZE = 10 * 1024;

    private SieveFactory factory;
    private Node script;
    private Map<String, List<String>> japanese;
    private Map<String, List<String>> plain;
    private int japaneseSize;
    private Map<String, MailAdapter.Address[]> japaneseAddresses;
    private Map<String, MailAdapter.Address[]> plainAddresses;
    private List<Predicate<JsieveFixtures.Mail>> rules;
    private List<String> targets;

    @Setup
    public void prepare() throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.jsieve")).setLevel(Level.INFO);
        factory = JsieveFixtures.factory();
        script = JsieveFixtures.parse(factory, JsieveFixtures.SCRIPT);
        byte[] japaneseMessage = Messages.japanese(SIZE);
        japaneseSize = japaneseMessage.length;
        japanese = JsieveFixtures.headers(japaneseMessage);
        plain = JsieveFixtures.headers(Messages.message(SIZE));
        japaneseAddresses = JsieveFixtures.addresses(japanese);
        plainAddresses = JsieveFixtures.addresses(plain);
        buildFloor();
        check("japanese", JsieveFixtures.describe(evaluateJapanese()), "[Action: org.apache.jsieve.mail.ActionFileInto, destination: Meetings]");
        check("plain", JsieveFixtures.describe(evaluatePlain()), "[Action: org.apache.jsieve.mail.ActionKeep]");
        check("floor japanese", List.of(floorJapanese()), "[Meetings]");
        check("floor plain", List.of(floorPlain()), "[keep]");
    }

    private static void check(String what, List<String> got, String expected) {
        if (!got.toString().equals(expected)) {
            throw new IllegalStateException(what + ": expected " + expected + ", got " + got);
        }
    }

    @Benchmark
    public Node parse() throws Exception {
        return JsieveFixtures.parse(factory, JsieveFixtures.SCRIPT);
    }

    @Benchmark
    public List<org.apache.jsieve.mail.Action> evaluateJapanese() throws Exception {
        return JsieveFixtures.evaluate(factory, script, japanese, japaneseAddresses, japaneseSize).getActions();
    }

    @Benchmark
    public List<org.apache.jsieve.mail.Action> evaluatePlain() throws Exception {
        return JsieveFixtures.evaluate(factory, script, plain, plainAddresses, SIZE).getActions();
    }

    @Benchmark
    public String floorJapanese() {
        return floor(new JsieveFixtures.Mail(japanese, japaneseAddresses, japaneseSize, "sender@example.org", "user@example.org"));
    }

    @Benchmark
    public String floorPlain() {
        return floor(new JsieveFixtures.Mail(plain, plainAddresses, SIZE, "sender@example.org", "user@example.org"));
    }

    private String floor(JsieveFixtures.Mail mail) {
        for (int k = 0; k < rules.size(); k++) {
            if (rules.get(k).test(mail)) {
                return targets.get(k);
            }
        }
        return "keep";
    }

    // --- the same conditions as Java predicates, built once ---

    private static Predicate<JsieveFixtures.Mail> contains(String field, String... keys) {
        List<String> upper = new ArrayList<>();
        for (String key : keys) {
            upper.add(key.toUpperCase());
        }
        return mail -> {
            List<String> values = mail.getMatchingHeader(field);
            if (values.isEmpty()) {
                return false;
            }
            for (String raw : values) {
                String value = MimeUtil.unscrambleHeaderValue(raw).toUpperCase();
                for (String key : upper) {
                    if (value.contains(key)) {
                        return true;
                    }
                }
            }
            return false;
        };
    }

    private static Predicate<JsieveFixtures.Mail> is(String field, String key) {
        return mail -> {
            for (String raw : mail.getMatchingHeader(field)) {
                if (MimeUtil.unscrambleHeaderValue(raw).equalsIgnoreCase(key)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static Predicate<JsieveFixtures.Mail> address(String field, String part, String... keys) {
        return mail -> {
            MailAdapter.Address[] addresses;
            try {
                addresses = mail.parseAddresses(field);
            } catch (Exception e) {
                return false;
            }
            for (MailAdapter.Address a : addresses) {
                String value = switch (part) {
                    case "domain" -> a.getDomain();
                    case "localpart" -> a.getLocalPart();
                    default -> a.getLocalPart() + "@" + a.getDomain();
                };
                for (String key : keys) {
                    if (value.equalsIgnoreCase(key)) {
                        return true;
                    }
                }
            }
            return false;
        };
    }

    private static Predicate<JsieveFixtures.Mail> exists(String field) {
        return mail -> !mail.getMatchingHeader(field).isEmpty();
    }

    private void buildFloor() {
        rules = new ArrayList<>();
        targets = new ArrayList<>();
        add(contains("list-id", "<hato-dev.lists.example.org>"), "Lists/hato-dev");
        add(contains("list-id", "<announce.lists.example.org>"), "Lists/announce");
        add(address("from", "all", "billing@vendor.example.com"), "Bills");
        add(address("from", "domain", "bank.example.com", "card.example.net"), "Money");
        add(contains("subject", "[SPAM]", "***SPAM***"), "Junk");
        add(is("x-spam-flag", "YES"), "Junk");
        add(mail -> mail.getSize() > 5 * 1024 * 1024, "Large");
        add(address("from", "domain", "github.com").and(contains("subject", "Pull Request")), "GitHub/PR");
        add(contains("precedence", "bulk", "list", "junk").or(exists("list-unsubscribe"))
                .or(contains("x-mailer", "Mailchimp")), "Newsletters");
        add(address("to", "all", "root@example.jp"), "System");
        add(contains("subject", "請求書", "お支払い"), "請求");
        add(address("from", "localpart", "noreply", "no-reply", "notifications"), "Notifications");
        add(contains("subject", "週報"), "週報");
        add(contains("from", "人事部").and(contains("subject", "お知らせ")), "人事");
        add(mail -> {
            for (String from : mail.getMatchingEnvelope("from")) {
                int at = from.indexOf('@');
                if (from.substring(at + 1).toLowerCase(Locale.ROOT).equals("calendar.example.com")) {
                    return true;
                }
            }
            return false;
        }, "Calendar");
        add(contains("to", "all-staff@example.jp").or(contains("cc", "all-staff@example.jp")), "All staff");
        add(mail -> mail.getSize() < 200, "Tiny");
        add(exists("message-id").negate(), "Suspicious");
        add(contains("subject", "議事録"), "Meetings");
        add(address("from", "domain", "example.jp"), "Japan");
        if (rules.size() != 20) {
            throw new IllegalStateException("rules: " + rules.size());
        }
    }

    private void add(Predicate<JsieveFixtures.Mail> rule, String target) {
        rules.add(rule);
        targets.add(target);
    }
}
