package dev.hato.store.directory;

import dev.hato.store.legacy.Route;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What stands behind one address of a local domain, read in one query: the account that has it (with its
 * forwarding), or the alias of that name, and the domain's catch-all target. Neither account nor alias means the
 * address itself is unknown; the resolver then tries plus-addressing and the catch-all.
 *
 * @param forwardTo  the account's forwarding targets, empty when it does not forward (or there is no account)
 * @param keepCopy   whether a forwarding account also keeps the message
 * @param aliasTargets the alias's targets, empty when the address is no alias
 * @param catchAll   the domain's catch-all target, or null when the domain has none (the default)
 * @param route      where the account's person is served during a migration (issue 17; {@link Route#LOCAL} when
 *                   there is no account), read in the same query
 * @param legacySmtp for a legacy route: whether that legacy system has an SMTP server to relay the mail to
 */
public record AddressRoute(String domain, @Nullable Account account, List<String> forwardTo, boolean keepCopy,
                           List<String> aliasTargets, @Nullable String catchAll, Route route, boolean legacySmtp) {
    public AddressRoute {
        forwardTo = List.copyOf(forwardTo);
        aliasTargets = List.copyOf(aliasTargets);
        Objects.requireNonNull(route, "route");
    }

    /** An address served by Hato (no migration route). */
    public AddressRoute(String domain, @Nullable Account account, List<String> forwardTo, boolean keepCopy,
                        List<String> aliasTargets, @Nullable String catchAll) {
        this(domain, account, forwardTo, keepCopy, aliasTargets, catchAll, Route.LOCAL, false);
    }
}
