package dev.hato.outbound.client;

/**
 * A failure that ends a whole attempt at a server before any recipient had its own answer: the greeting, EHLO,
 * STARTTLS, AUTH, or MAIL FROM was refused, or TLS was required and not offered. Every recipient of the
 * transaction shares it.
 */
public final class SmtpFailure extends RuntimeException {

    private final boolean permanent;
    private final String status;
    private final String diagnostic;
    private final boolean noTls;

    public SmtpFailure(boolean permanent, String status, String diagnostic) {
        this(permanent, status, diagnostic, false);
    }

    private SmtpFailure(boolean permanent, String status, String diagnostic, boolean noTls) {
        super(diagnostic, null, false, false);
        this.permanent = permanent;
        this.status = status;
        this.diagnostic = diagnostic;
        this.noTls = noTls;
    }

    /** TLS was required, and the server did not offer STARTTLS or refused it ({@code 4.7.4}, RFC 3463). */
    static SmtpFailure noTls(String diagnostic) {
        return new SmtpFailure(false, "4.7.4", diagnostic, true);
    }

    static SmtpFailure of(String step, SmtpReply reply) {
        return new SmtpFailure(reply.permanentFailure(), reply.status("0.0"), "smtp; " + reply + " (" + step + ")");
    }

    public boolean permanent() {
        return permanent;
    }

    public String status() {
        return status;
    }

    public String diagnostic() {
        return diagnostic;
    }

    /** Whether the attempt ended because the server would not start TLS (RFC 8460: starttls-not-supported). */
    public boolean noTls() {
        return noTls;
    }
}
