package dev.hato.inbound;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What the spam filter decided about one message arriving on the MTA port: the header fields to prepend (with their
 * CRLFs; none when the message was not scanned) and what to do with it.
 *
 * @param action  deliver, deliver to Junk, or refuse (for good or for now) with {@code reply}
 * @param fields  {@code X-Spam-Status} (and {@code X-Spam-Flag: YES} for spam), or empty
 * @param reply   the refusal's reply line for {@link Action#REJECT} and {@link Action#DEFER}, else empty
 * @param summary what the mail log and the server log say of it ("add header 7.00/15.00", "unavailable: ...")
 */
public record SpamVerdict(Action action, byte[] fields, String reply, String summary) {

    public enum Action {
        /** Deliver to the INBOX. */
        ACCEPT,
        /** Deliver to each recipient's Junk mailbox. */
        JUNK,
        /** Refuse for good (554 5.7.1). */
        REJECT,
        /** Refuse for now (451 4.7.1): the filter asked for it, or it could not answer and the settings say defer. */
        DEFER
    }

    /** How a message is treated when the filter does not answer in time, or answers nonsense. */
    public enum OnFailure {
        /** Deliver it unscanned (the default: a spam filter outage must not become a mail outage). */
        ACCEPT,
        /** Answer 451 4.7.1: the sender retries later. */
        DEFER
    }

    /** Not scanned (too large, or no filter for it): delivered as it is, without fields. */
    public static SpamVerdict unscanned(String why) {
        return new SpamVerdict(Action.ACCEPT, new byte[0], "", "not scanned: " + why);
    }

    /** The filter could not answer ({@code why}); {@code onFailure} decides. */
    public static SpamVerdict unavailable(OnFailure onFailure, String why) {
        return onFailure == OnFailure.DEFER
                ? new SpamVerdict(Action.DEFER, new byte[0],
                        "451 4.7.1 The spam filter is not available, try again later", "unavailable: " + why)
                : new SpamVerdict(Action.ACCEPT, new byte[0], "", "unavailable, accepted unscanned: " + why);
    }

    /**
     * The verdict for rspamd's {@code action} (rspamd's protocol: "no action", "greylist", "add header", "rewrite
     * subject", "soft reject", "reject") with its score: reject refuses with 554 5.7.1 (or, when {@code reject} is
     * false, goes to Junk); greylist and soft reject refuse with 451 4.7.1; add header and rewrite subject go to
     * Junk (the subject is left as the sender wrote it); anything else is delivered. {@code message} is rspamd's
     * {@code smtp_message}, added to a refusal when it is short printable ASCII.
     */
    public static SpamVerdict of(String filterAction, double score, double required, @Nullable String message,
                                 boolean reject) {
        String action = filterAction.toLowerCase(Locale.ROOT).strip();
        Action decided = switch (action) {
            case "reject" -> reject ? Action.REJECT : Action.JUNK;
            case "soft reject", "greylist" -> Action.DEFER;
            case "add header", "rewrite subject" -> Action.JUNK;
            default -> Action.ACCEPT;
        };
        boolean spam = decided == Action.JUNK || decided == Action.REJECT;
        String status = String.format(Locale.ROOT, "X-Spam-Status: %s, score=%.2f required=%.2f action=%s\r\n",
                spam ? "Yes" : "No", score, required, action.isEmpty() ? "none" : action.replace(' ', '_'));
        byte[] fields = (status + (spam ? "X-Spam-Flag: YES\r\n" : "")).getBytes(StandardCharsets.US_ASCII);
        String detail = printable(message);
        String reply = switch (decided) {
            case REJECT -> "554 5.7.1 Message refused as spam" + (detail.isEmpty() ? "" : ": " + detail);
            case DEFER -> "451 4.7.1 Message deferred by the spam filter, try again later"
                    + (detail.isEmpty() ? "" : ": " + detail);
            default -> "";
        };
        return new SpamVerdict(decided, fields, reply,
                String.format(Locale.ROOT, "%s %.2f/%.2f", action.isEmpty() ? "none" : action, score, required));
    }

    /** {@code text} when it is at most 200 characters of printable ASCII, else empty: it goes into a reply line. */
    private static String printable(@Nullable String text) {
        if (text == null || text.length() > 200) {
            return "";
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "";
            }
        }
        return text.strip();
    }
}
