package dev.hato.delivery;

/**
 * Why the pipeline refused a recipient or a message, in the terms every mail protocol reports it: an SMTP reply
 * code (RFC 5321 §4.2), an enhanced status code (RFC 3463) and a text. SMTP sends {@link #line()} as it is.
 */
public record DeliveryReply(int code, String status, String text) {

    public DeliveryReply {
        if (code < 400 || code > 599) {
            throw new IllegalArgumentException("a refusal is a 4xx or 5xx reply, not " + code);
        }
        if (status.isEmpty() || status.charAt(0) != Character.forDigit(code / 100, 10)) {
            throw new IllegalArgumentException("status " + status + " does not fit reply code " + code);
        }
    }

    /** Whether trying again later may succeed (a 4xx reply). */
    public boolean temporary() {
        return code < 500;
    }

    /** {@code 552 5.2.2 text}. */
    public String line() {
        return code + " " + status + " " + text;
    }
}
