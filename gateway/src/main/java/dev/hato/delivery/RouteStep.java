package dev.hato.delivery;

import java.util.List;

/**
 * The step after expansion: whether what a requested recipient expanded to may be accepted here. Local accounts
 * always; addresses elsewhere (alias and forwarding targets, or the recipient itself when the sender may relay)
 * only when outbound delivery is enabled; any other domain's address is a relay attempt.
 */
public final class RouteStep {

    private final DeliverySettings settings;

    public RouteStep(DeliverySettings settings) {
        this.settings = settings;
    }

    public Admission route(Recipient recipient, RecipientRequest request) {
        String target = request.address();
        if (recipient instanceof Recipient.Resolved resolved) {
            if (!resolved.remote().isEmpty() && !settings.remoteDelivery()) {
                return new Admission.Refused(new DeliveryReply(451, "4.3.5", "<" + target + ">: forwarding to "
                        + "other domains is not enabled on this server (hato.outbound.enabled)"));
            }
            for (Recipient.Legacy legacy : resolved.legacy()) {
                // Issue 17: a person served by a legacy system without an SMTP server cannot get mail from here.
                // Temporary (RFC 3463 X.3.5, system not configured to accept it): the sender's MTA keeps the
                // message and tries again, by when the operator may have named the old MTA or moved the person.
                if (!legacy.smtp()) {
                    return new Admission.Refused(new DeliveryReply(451, "4.3.5", "<" + target + ">: this mailbox "
                            + "is served by the legacy system " + legacy.backend() + ", which has no SMTP server set"
                            + " here; try again later"));
                }
            }
            return new Admission.Admitted(target, resolved.accounts(), resolved.remote(), resolved.forwardedBy(),
                    request.onwardOrcpt(), resolved.legacy());
        }
        if (recipient instanceof Recipient.UnknownLocal) {
            return new Admission.UnknownUser(target);
        }
        if (recipient instanceof Recipient.Unroutable unroutable) {
            return new Admission.Refused(new DeliveryReply(550, "5.4.6", "<" + target + ">: "
                    + unroutable.reason()));
        }
        if (!request.mayRelay()) {
            return new Admission.Refused(new DeliveryReply(554, "5.7.1", "<" + target + ">: Relay access denied"));
        }
        if (!settings.remoteDelivery()) {
            return new Admission.Refused(new DeliveryReply(550, "5.7.1", "<" + target + ">: delivery to other "
                    + "domains is not enabled on this server; message not accepted for this recipient"));
        }
        // A relayed recipient keeps exactly the ORCPT its client gave (none when none was given).
        return new Admission.Admitted(target, List.of(), List.of(target), List.of(), request.orcpt());
    }
}
