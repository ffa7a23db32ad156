package dev.hato.bench;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.jsieve.ConfigurationManager;
import org.apache.jsieve.SieveContext;
import org.apache.jsieve.SieveFactory;
import org.apache.jsieve.exception.InternetAddressException;
import org.apache.jsieve.exception.SieveException;
import org.apache.jsieve.mail.Action;
import org.apache.jsieve.mail.MailAdapter;
import org.apache.jsieve.mail.SieveMailException;
import org.apache.jsieve.mail.optional.EnvelopeAccessors;
import org.apache.jsieve.parser.address.SieveAddressBuilder;
import org.apache.jsieve.parser.generated.Node;
import org.apache.jsieve.parser.generated.ParseException;

/**
 * What the jSieve measurements share (ADR 0011 draft): a typical 20-rule script, a minimal {@link MailAdapter}
 * over a header section parsed once (as Hato's delivery already has it), and the factory. The adapter does no
 * work of its own beyond a map look-up, so what is measured is jSieve.
 */
final class JsieveFixtures {

    /**
     * Twenty rules of the kind people write: list and sender sorting, spam flag, size, allof/anyof, Japanese
     * subjects and senders. Against {@link Messages#japanese} only rule 19 matches (fileinto "Meetings"; stop), so
     * 19 rules are evaluated; against {@link Messages#message} none does (implicit keep after all 20).
     */
    static final String SCRIPT = """
            require ["fileinto", "envelope"];
            # 1-2 mailing lists
            if header :contains "list-id" "<hato-dev.lists.example.org>" { fileinto "Lists/hato-dev"; stop; }
            if header :contains "list-id" "<announce.lists.example.org>" { fileinto "Lists/announce"; stop; }
            # 3-4 senders
            if address :is "from" "billing@vendor.example.com" { fileinto "Bills"; stop; }
            if address :is :domain "from" ["bank.example.com", "card.example.net"] { fileinto "Money"; stop; }
            # 5-6 spam
            if header :contains "subject" ["[SPAM]", "***SPAM***"] { fileinto "Junk"; stop; }
            if header :is "x-spam-flag" "YES" { fileinto "Junk"; stop; }
            # 7 size
            if size :over 5M { fileinto "Large"; stop; }
            # 8-9 allof / anyof
            if allof (address :is :domain "from" "github.com", header :contains "subject" "Pull Request") {
                fileinto "GitHub/PR"; stop;
            }
            if anyof (header :contains "precedence" ["bulk", "list", "junk"], exists "list-unsubscribe",
                      header :contains "x-mailer" "Mailchimp") {
                fileinto "Newsletters"; stop;
            }
            # 10-18
            if address :is "to" "root@example.jp" { fileinto "System"; stop; }
            if header :contains "subject" ["請求書", "お支払い"] { fileinto "請求"; stop; }
            if address :is :localpart "from" ["noreply", "no-reply", "notifications"] { fileinto "Notifications"; stop; }
            if header :matches "subject" "*週報*" { fileinto "週報"; stop; }
            if allof (header :contains "from" "人事部", header :contains "subject" "お知らせ") { fileinto "人事"; stop; }
            if envelope :is :domain "from" "calendar.example.com" { fileinto "Calendar"; stop; }
            if header :contains ["to", "cc"] "all-staff@example.jp" { fileinto "All staff"; stop; }
            if size :under 200 { fileinto "Tiny"; stop; }
            if not exists "message-id" { fileinto "Suspicious"; stop; }
            # 19 Japanese subject (ISO-2022-JP encoded word in the message)
            if header :contains "subject" "議事録" { fileinto "Meetings"; stop; }
            # 20
            if address :is :domain "from" "example.jp" { fileinto "Japan"; }
            """;

    private JsieveFixtures() {
    }

    static SieveFactory factory() {
        try {
            return new ConfigurationManager().build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Node parse(SieveFactory factory, String script) throws ParseException {
        return factory.parse(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The header section of {@code message} (CRLF lines, up to the empty line) as field name in lower case to raw
     * values, folded lines kept as they are (jSieve unfolds and decodes encoded words itself).
     */
    static Map<String, List<String>> headers(byte[] message) {
        String text = new String(message, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        Map<String, List<String>> fields = new LinkedHashMap<>();
        String name = null;
        StringBuilder value = new StringBuilder();
        for (String line : text.substring(0, end).split("\r\n")) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                value.append("\r\n").append(line);
                continue;
            }
            if (name != null) {
                fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value.toString().strip());
            }
            int colon = line.indexOf(':');
            name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            value.setLength(0);
            value.append(line.substring(colon + 1));
        }
        if (name != null) {
            fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value.toString().strip());
        }
        return fields;
    }

    /**
     * A MailAdapter over pre-parsed fields. One per evaluation (it collects that evaluation's actions); the fields
     * map is shared and only read.
     */
    static final class Mail implements MailAdapter, EnvelopeAccessors {
        private final Map<String, List<String>> fields;
        private final int size;
        private final Map<String, List<String>> envelope;
        private final List<Action> actions = new ArrayList<>(4);
        private final Map<String, Address[]> addresses;

        Mail(Map<String, List<String>> fields, int size, String from, String to) {
            this(fields, Map.of(), size, from, to);
        }

        /** {@code addresses}: address fields parsed once per message (Hato's delivery has them parsed already). */
        Mail(Map<String, List<String>> fields, Map<String, Address[]> addresses, int size, String from, String to) {
            this.fields = fields;
            this.addresses = addresses;
            this.size = size;
            this.envelope = Map.of("from", List.of(from), "to", List.of(to));
        }

        @Override
        public void setContext(SieveContext context) {
        }

        @Override
        public List<Action> getActions() {
            return actions;
        }

        @Override
        public List<String> getHeader(String name) {
            return fields.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        @Override
        public List<String> getMatchingHeader(String name) {
            return fields.getOrDefault(name.strip().toLowerCase(Locale.ROOT), List.of());
        }

        @Override
        public List<String> getHeaderNames() {
            return new ArrayList<>(fields.keySet());
        }

        @Override
        public void addAction(Action action) {
            actions.add(action);
        }

        @Override
        public void executeActions() {
            // Hato would carry the actions out after evaluation (store, redirect, vacation), not here.
        }

        @Override
        public int getSize() {
            return size;
        }

        @Override
        public String getContentType() {
            List<String> type = getMatchingHeader("content-type");
            return type.isEmpty() ? "text/plain" : type.get(0);
        }

        @Override
        public boolean isInBodyText(List<String> phrases) {
            return false;
        }

        @Override
        public boolean isInBodyRaw(List<String> phrases) {
            return false;
        }

        @Override
        public boolean isInBodyContent(List<String> contentTypes, List<String> phrases) {
            return false;
        }

        @Override
        public Address[] parseAddresses(String headerName) throws SieveMailException, InternetAddressException {
            Address[] parsed = addresses.get(headerName.strip().toLowerCase(Locale.ROOT));
            if (parsed != null) {
                return parsed;
            }
            return parse(getMatchingHeader(headerName));
        }

        static Address[] parse(List<String> values) throws InternetAddressException {
            SieveAddressBuilder builder = new SieveAddressBuilder();
            try {
                for (String value : values) {
                    builder.addAddresses(value);
                }
            } catch (org.apache.jsieve.parser.generated.address.ParseException e) {
                throw new InternetAddressException(e.getMessage());
            }
            return builder.getAddresses();
        }

        @Override
        public List<String> getEnvelope(String name) {
            return envelope.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        @Override
        public List<String> getEnvelopeNames() {
            return new ArrayList<>(envelope.keySet());
        }

        @Override
        public List<String> getMatchingEnvelope(String name) {
            return getEnvelope(name.strip());
        }
    }

    /** The address fields of a message parsed once, as a delivery pipeline that already parsed the header has them. */
    static Map<String, MailAdapter.Address[]> addresses(Map<String, List<String>> fields) {
        Map<String, MailAdapter.Address[]> out = new LinkedHashMap<>();
        for (String name : List.of("from", "sender", "to", "cc", "bcc", "reply-to")) {
            try {
                out.put(name, Mail.parse(fields.getOrDefault(name, List.of())));
            } catch (InternetAddressException e) {
                // left to the adapter's parse at evaluation, which fails the same way
            }
        }
        return out;
    }

    /** The actions of one evaluation as text, e.g. {@code [fileinto Meetings]} or {@code [keep]}. */
    static List<String> describe(List<Action> actions) {
        List<String> out = new ArrayList<>();
        for (Action action : actions) {
            out.add(action.toString());
        }
        return Collections.unmodifiableList(out);
    }

    static Mail evaluate(SieveFactory factory, Node script, Map<String, List<String>> fields, int size)
            throws SieveException {
        return evaluate(factory, script, fields, Map.of(), size);
    }

    static Mail evaluate(SieveFactory factory, Node script, Map<String, List<String>> fields,
            Map<String, MailAdapter.Address[]> addresses, int size) throws SieveException {
        Mail mail = new Mail(fields, addresses, size, "sender@example.org", "user@example.org");
        factory.evaluate(mail, script);
        return mail;
    }
}
