package dev.hato.delivery;

import dev.hato.store.directory.Account;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The pipeline's answer to one requested recipient, before the message is sent. */
public sealed interface Admission permits Admission.Admitted, Admission.Refused, Admission.UnknownUser {

    /**
     * Accepted: the message will go to {@code accounts} here and be queued for {@code remote}; {@code forwardedBy}
     * are the local addresses whose alias or forwarding sent it elsewhere; {@code onwardOrcpt} is the ORCPT the
     * remote copies carry (RFC 3461 §4.2), or null.
     */
    record Admitted(String recipient, List<Account> accounts, List<String> remote, List<String> forwardedBy,
                    @Nullable String onwardOrcpt) implements Admission {
        public Admitted {
            accounts = List.copyOf(accounts);
            remote = List.copyOf(remote);
            forwardedBy = List.copyOf(forwardedBy);
        }
    }

    /** Not accepted, with the reply that says why. */
    record Refused(DeliveryReply reply) implements Admission { }

    /**
     * A local domain, but no such user. The protocol answers it (SMTP: {@code 550 5.1.1}), and may slow or stop a
     * client that guesses addresses.
     */
    record UnknownUser(String recipient) implements Admission { }
}
