package dev.hato.delivery;

import dev.hato.store.directory.Account;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The pipeline's answer to one requested recipient, before the message is sent. */
public sealed interface Admission permits Admission.Admitted, Admission.Refused, Admission.UnknownUser {

    /**
     * Accepted: the message will go to {@code accounts} here and be queued for {@code remote}; {@code forwardedBy}
     * are the local addresses whose alias or forwarding sent it elsewhere; {@code onwardOrcpt} is the ORCPT the
     * remote copies carry (RFC 3461 §4.2), or null; {@code legacy}: the people it reaches who are still served by
     * a legacy system, whose copies are queued for that system's MTA (issue 17).
     */
    record Admitted(String recipient, List<Account> accounts, List<String> remote, List<String> forwardedBy,
                    @Nullable String onwardOrcpt, List<Recipient.Legacy> legacy) implements Admission {
        public Admitted {
            accounts = List.copyOf(accounts);
            remote = List.copyOf(remote);
            forwardedBy = List.copyOf(forwardedBy);
            legacy = List.copyOf(legacy);
        }

        /** Nobody served by a legacy system. */
        public Admitted(String recipient, List<Account> accounts, List<String> remote, List<String> forwardedBy,
                        @Nullable String onwardOrcpt) {
            this(recipient, accounts, remote, forwardedBy, onwardOrcpt, List.of());
        }

        /** Whether any of it is queued for elsewhere: addresses of other domains, or people on legacy systems. */
        public boolean queuesOutbound() {
            return !remote.isEmpty() || !legacy.isEmpty();
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
