package dev.hato.delivery;

import dev.hato.store.directory.Account;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The pipeline for messages Hato writes itself (delivery reports, bounces): the same resolve, expand and store
 * steps as received mail, to one recipient, with the null sender and NOTIFY=NEVER, so two servers can never bounce
 * mail back and forth (RFC 3461 §6.2, RFC 5321 §4.5.5). No quota (a report about a full mailbox must still
 * arrive), no loop check and no reports of their own.
 */
public final class GeneratedDelivery {

    /** Where a generated message goes. */
    public sealed interface Destination permits Local, Remote, Unreachable { }

    /** The accounts the address reaches here (aliases, plus-addressing and catch-all applied). */
    public record Local(List<Long> accounts) implements Destination {
        public Local {
            accounts = List.copyOf(accounts);
        }
    }

    /**
     * An address elsewhere, or a person on a legacy system ({@code transport}: that system, whose MTA gets it;
     * null: the address's MX hosts): the message is queued for it.
     */
    public record Remote(String address, @Nullable String transport) implements Destination {
        public Remote(String address) {
            this(address, null);
        }
    }

    /** Nowhere: a local address without an account, or elsewhere with outbound delivery off. */
    public record Unreachable(String reason) implements Destination { }

    private final RecipientResolver recipients;
    private final StoreStep store;
    private final DeliverySettings settings;
    private final Clock clock;

    public GeneratedDelivery(RecipientResolver recipients, StoreStep store, DeliverySettings settings, Clock clock) {
        this.recipients = recipients;
        this.store = store;
        this.settings = settings;
        this.clock = clock;
    }

    /** Where a message to {@code address} would go, resolved as any recipient is. */
    public Mono<Destination> route(String address) {
        return recipients.resolve(address).map(recipient -> {
            if (recipient instanceof Recipient.Resolved resolved && !resolved.accounts().isEmpty()) {
                return new Local(resolved.accounts().stream().map(Account::id).toList());
            }
            if (recipient instanceof Recipient.Resolved resolved && !resolved.legacy().isEmpty()) {
                // Issue 17: a report for a person still on a legacy system goes to them there.
                Recipient.Legacy person = resolved.legacy().get(0);
                return new Remote(person.address(), person.backend());
            }
            if (recipient instanceof Recipient.Remote) {
                return settings.remoteDelivery() ? new Remote(address) : new Unreachable(
                        "outbound delivery is not enabled, so a report cannot go to " + address);
            }
            return new Unreachable("the local sender " + address + " reaches no account here");
        });
    }

    /**
     * Commits {@code message} (a finished spool, with the facts it read if it was given a reader) for a destination
     * {@link #route} found (not {@link Unreachable}).
     */
    public Mono<DeliveryReceipt> deliver(Destination destination, MessageSpool message, Envelope envelope) {
        if (destination instanceof Local local) {
            return store.store(message, message.facts(), local.accounts(), clock.instant(), envelope, List.of());
        }
        if (destination instanceof Remote remote) {
            OutboundRecipient to = new OutboundRecipient(remote.address(), Set.of(OutboundRecipient.Notify.NEVER),
                    null);
            String transport = remote.transport();
            return store.store(message, null, List.of(), clock.instant(), envelope,
                    List.of(transport == null ? to : to.viaLegacy(transport)));
        }
        return Mono.error(new IllegalArgumentException("no delivery to an unreachable destination"));
    }
}
