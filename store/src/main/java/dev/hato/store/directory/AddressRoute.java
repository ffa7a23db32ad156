package dev.hato.store.directory;

import java.util.List;
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
 * @param legacyBackend the old system that still serves the account's person during a migration (issue 17: their
 *                   route names it), read in the same query; null when Hato serves them (or there is no account)
 * @param legacySmtp for a legacy route: whether that legacy system has an SMTP server to relay the mail to
 */
public record AddressRoute(String domain, @Nullable Account account, List<String> forwardTo, boolean keepCopy,
                           List<String> aliasTargets, @Nullable String catchAll, @Nullable String legacyBackend,
                           boolean legacySmtp) {
    public AddressRoute {
        forwardTo = List.copyOf(forwardTo);
        aliasTargets = List.copyOf(aliasTargets);
    }

    /** An address served by Hato (no migration route). */
    public AddressRoute(String domain, @Nullable Account account, List<String> forwardTo, boolean keepCopy,
                        List<String> aliasTargets, @Nullable String catchAll) {
        this(domain, account, forwardTo, keepCopy, aliasTargets, catchAll, null, false);
    }
}
