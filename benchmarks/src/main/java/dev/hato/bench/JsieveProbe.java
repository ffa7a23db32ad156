package dev.hato.bench;

import ch.qos.logback.classic.Level;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.jsieve.SieveFactory;
import org.apache.jsieve.parser.generated.Node;
import org.slf4j.LoggerFactory;

/**
 * Behaviour checks of Apache jSieve 0.8 for ADR 0011 (not a benchmark): prints one line per finding.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.hato.bench.JsieveProbe</pre>
 */
public final class JsieveProbe {

    private static final SieveFactory FACTORY = JsieveFixtures.factory();

    private JsieveProbe() {
    }

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.OFF);
        Charset jis = Charset.forName("ISO-2022-JP");
        String jisSubject = "=?ISO-2022-JP?B?" + Base64.getEncoder().encodeToString("会議の議事録".getBytes(jis)) + "?=";
        byte[] utf8 = "議事録".getBytes(StandardCharsets.UTF_8); // 9 octets
        String splitSubject = "=?UTF-8?B?" + Base64.getEncoder().encodeToString(Arrays.copyOfRange(utf8, 0, 4))
                + "?= =?UTF-8?B?" + Base64.getEncoder().encodeToString(Arrays.copyOfRange(utf8, 4, 9)) + "?=";

        run("ISO-2022-JP encoded subject, :contains \"議事録\"",
                "require \"fileinto\"; if header :contains \"subject\" \"議事録\" { fileinto \"M\"; }",
                Map.of("subject", jisSubject));
        run("UTF-8 character split over two encoded words (RFC 2047 §5 forbids, senders do it)",
                "require \"fileinto\"; if header :contains \"subject\" \"議事録\" { fileinto \"M\"; }",
                Map.of("subject", splitSubject));
        run("raw UTF-8 subject (RFC 6532), adapter hands over the decoded String",
                "require \"fileinto\"; if header :contains \"subject\" \"議事録\" { fileinto \"M\"; }",
                Map.of("subject", "会議の議事録"));
        run("i;ascii-casemap, \"straße\" :is \"STRASSE\" (RFC 4790: must not match)",
                "require \"fileinto\"; if header :is \"subject\" \"straße\" { fileinto \"M\"; }",
                Map.of("subject", "STRASSE"));
        run("i;ascii-casemap, non-ASCII \"ÄRGER\" :is \"ärger\" (RFC 4790: must not match)",
                "require \"fileinto\"; if header :is \"subject\" \"ärger\" { fileinto \"M\"; }",
                Map.of("subject", "ÄRGER"));
        Locale saved = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr"));
        run("default locale tr: \"title\" :is \"TITLE\" (must match)",
                "require \"fileinto\"; if header :is \"subject\" \"title\" { fileinto \"M\"; }",
                Map.of("subject", "TITLE"));
        Locale.setDefault(saved);
        run("require of an unknown extension (imap4flags) is only checked at run time",
                "require [\"imap4flags\"]; keep;", Map.of("subject", "x"));
        run("require of \"variables\"", "require [\"variables\"]; keep;", Map.of("subject", "x"));
        run("fileinto without require \"fileinto\" (RFC 5228 §3.2: error)",
                "fileinto \"M\";", Map.of("subject", "x"));
        run("bad arguments in a branch not taken: parse accepts, no error",
                "require \"fileinto\"; if header :is \"x-never\" \"y\" { fileinto 1 2 3; }",
                Map.of("subject", "x"));
        run("bad arguments in a branch taken: error at delivery, after earlier actions",
                "require \"fileinto\"; fileinto \"Before\"; if header :is \"subject\" \"x\" { fileinto 1 2 3; }",
                Map.of("subject", "x"));
        run("unknown tag in a test: error at delivery only",
                "require \"fileinto\"; fileinto \"Before\"; if header :bogus \"subject\" \"x\" { keep; }",
                Map.of("subject", "x"));
        run("size :over 3G on a 100-octet message (3G overflows int)",
                "require \"fileinto\"; if size :over 3G { fileinto \"Huge\"; }", Map.of("subject", "x"));
        run("number 99999999999", "if size :over 99999999999 { discard; }", Map.of("subject", "x"));
        run("quantifier in lower case, 100k (ABNF strings are case-insensitive)",
                "if size :over 100k { discard; }", Map.of("subject", "x"));
        run("redirect :copy", "require \"copy\"; redirect :copy \"a@example.org\";", Map.of("subject", "x"));
        run("vacation :seconds", "require \"vacation\"; vacation :seconds 60 \"away\";", Map.of("subject", "x"));
        run("encoded-character", "require \"encoded-character\"; keep;", Map.of("subject", "x"));
        run("body :text :contains (adapter's search)", "require \"body\"; if body :text :contains \"x\" { discard; }",
                Map.of("subject", "x"));
        run("body :text :matches", "require \"body\"; if body :text :matches \"*x*\" { discard; }",
                Map.of("subject", "x"));

        threadSafety();
        regexTime();
    }

    private static void run(String what, String script, Map<String, String> header) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        header.forEach((k, v) -> fields.put(k, List.of(v)));
        JsieveFixtures.Mail mail = new JsieveFixtures.Mail(fields, 100, "sender@example.org", "user@example.org");
        Node node;
        try {
            node = JsieveFixtures.parse(FACTORY, script);
        } catch (Throwable e) {
            System.out.println("- " + what + ": PARSE ERROR " + e.getClass().getSimpleName() + ": " + oneLine(e));
            return;
        }
        try {
            FACTORY.evaluate(mail, node);
            System.out.println("- " + what + ": parsed; actions " + short_(mail));
        } catch (Throwable e) {
            System.out.println("- " + what + ": parsed; RUN-TIME " + e.getClass().getSimpleName() + ": "
                    + oneLine(e) + "; actions left in the adapter " + short_(mail));
        }
    }

    private static String oneLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        return m.replace('\n', ' ').substring(0, Math.min(140, m.length()));
    }

    private static List<String> short_(JsieveFixtures.Mail mail) {
        List<String> out = new ArrayList<>();
        for (String a : JsieveFixtures.describe(mail.getActions())) {
            out.add(a.replace("Action: org.apache.jsieve.mail.", "").replace("optional.", ""));
        }
        return out;
    }

    /** One parsed tree evaluated by two threads at once against two messages; every result checked. */
    private static void threadSafety() throws Exception {
        Node node = JsieveFixtures.parse(FACTORY, JsieveFixtures.SCRIPT);
        byte[] jp = Messages.japanese(JsieveBenchmark.SIZE);
        Map<String, List<String>> japanese = JsieveFixtures.headers(jp);
        Map<String, List<String>> plain = JsieveFixtures.headers(Messages.message(JsieveBenchmark.SIZE));
        int rounds = 20_000;
        AtomicInteger wrong = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            final int which = t;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    for (int k = 0; k < rounds; k++) {
                        boolean jap = (k + which) % 2 == 0;
                        JsieveFixtures.Mail mail = JsieveFixtures.evaluate(FACTORY, node, jap ? japanese : plain,
                                jap ? jp.length : JsieveBenchmark.SIZE);
                        String got = JsieveFixtures.describe(mail.getActions()).toString();
                        if (!got.equals(jap ? "[Action: org.apache.jsieve.mail.ActionFileInto, destination: Meetings]"
                                : "[Action: org.apache.jsieve.mail.ActionKeep]")) {
                            wrong.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.println("- one parsed tree, 2 threads x " + rounds + " evaluations, alternating messages: "
                + wrong.get() + " wrong results, failure " + failure.get());
    }

    /** :matches with several stars against a long header value: time per evaluation, and whether it stops. */
    private static void regexTime() throws Exception {
        String script = "require \"fileinto\"; if header :matches \"subject\" \"*a*a*a*a*a*b\" { fileinto \"M\"; }";
        Node node = JsieveFixtures.parse(FACTORY, script);
        for (int n : new int[] {25, 50, 100, 200, 400}) {
            Map<String, List<String>> fields = Map.of("subject", List.of("a".repeat(n)));
            AtomicReference<Long> took = new AtomicReference<>();
            Thread thread = new Thread(() -> {
                long t0 = System.nanoTime();
                try {
                    JsieveFixtures.evaluate(FACTORY, node, fields, 100);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                took.set(System.nanoTime() - t0);
            });
            thread.setDaemon(true);
            thread.start();
            thread.join(10_000);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(1_000);
                System.out.println("- :matches \"*a*a*a*a*a*b\" on a subject of " + n + " 'a': still running after"
                        + " 10 s; after interrupt() and 1 s more, alive = " + thread.isAlive());
                System.exit(0);
            }
            System.out.printf("- :matches \"*a*a*a*a*a*b\" on a subject of %d 'a': %.1f ms%n", n, took.get() / 1e6);
        }
    }
}
