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

    public SmtpFailure(boolean permanent, String status, String diagnostic) {
        super(diagnostic, null, false, false);
        this.permanent = permanent;
        this.status = status;
        this.diagnostic = diagnostic;
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
}
