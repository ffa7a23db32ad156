package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.AddressRoute;
import dev.hato.store.directory.Addresses;
import dev.hato.store.directory.Alias;
import dev.hato.store.directory.Directory;
import dev.hato.store.directory.DirectoryException.Reason;
import dev.hato.store.directory.DirectoryException;
import dev.hato.store.directory.NewAccount;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

class PgAddressesTest {

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static final AtomicInteger NEXT = new AtomicInteger();

    private final Directory directory = STORE.store().directory();
    private final Addresses addresses = STORE.store().addresses();

    private String domain() {
        String name = "addr" + NEXT.incrementAndGet() + "-" + System.nanoTime() + ".example";
        directory.addDomain(name).block();
        return name;
    }

    @Test
    void routeShouldBeEmptyForADomainThatIsNotLocal() {
        StepVerifier.create(addresses.route("ann@elsewhere.example")).verifyComplete();
    }

    @Test
    void routeShouldNameTheAccountAndItsForwarding() {
        String domain = domain();
        directory.addAccount(new NewAccount("ann@" + domain, "ann-" + domain, "Ann", null)).block();
        addresses.setForwarding("ann@" + domain, List.of("ann@away.example", "ann@away.example"), false).block();

        AddressRoute route = addresses.route("ann@" + domain).block();

        assertThat(route.account().address()).isEqualTo("ann@" + domain);
        assertThat(route.forwardTo()).containsExactly("ann@away.example");
        assertThat(route.keepCopy()).isFalse();
        assertThat(route.aliasTargets()).isEmpty();
        assertThat(route.catchAll()).isNull();
    }

    @Test
    void anUnknownAddressOfALocalDomainShouldRouteToNothingButTheCatchAll() {
        String domain = domain();
        assertThat(addresses.route("nobody@" + domain).block().account()).isNull();

        addresses.setCatchAll(domain, "postmaster@" + domain).block();
        assertThat(addresses.route("nobody@" + domain).block().catchAll()).isEqualTo("postmaster@" + domain);

        addresses.setCatchAll(domain, null).block();
        assertThat(addresses.route("nobody@" + domain).block().catchAll()).isNull();
    }

    @Test
    void addingToAnAliasShouldKeepItsTargetsOnceInOrder() {
        String domain = domain();
        addresses.addAlias("team@" + domain, List.of("b@x.example", "a@x.example")).block();
        Alias alias = addresses.addAlias("team@" + domain, List.of("A@x.example", "c@x.example", "C@x.example"))
                .block();

        assertThat(alias.targets()).as("compared without case, kept as written")
                .containsExactly("b@x.example", "a@x.example", "c@x.example");
        assertThat(addresses.route("team@" + domain).block().aliasTargets())
                .containsExactly("b@x.example", "a@x.example", "c@x.example");
        assertThat(addresses.aliases(domain).collectList().block()).containsExactly(alias);
    }

    @Test
    void anAliasShouldNotTakeTheAddressOfAnAccountOrLiveOutsideALocalDomain() {
        String domain = domain();
        directory.addAccount(new NewAccount("ann@" + domain, "ann-" + domain, "Ann", null)).block();

        StepVerifier.create(addresses.addAlias("ann@" + domain, List.of("x@y.example")))
                .verifyErrorMatches(e -> ((DirectoryException) e).reason() == Reason.DUPLICATE_ADDRESS);
        StepVerifier.create(addresses.addAlias("team@not-local.example", List.of("x@y.example")))
                .verifyErrorMatches(e -> ((DirectoryException) e).reason() == Reason.UNKNOWN_DOMAIN);
    }

    @Test
    void removingTheLastTargetShouldRemoveTheAlias() {
        String domain = domain();
        addresses.addAlias("team@" + domain, List.of("a@x.example", "b@x.example")).block();

        addresses.removeAlias("team@" + domain, "a@x.example").block();
        assertThat(addresses.route("team@" + domain).block().aliasTargets()).containsExactly("b@x.example");
        StepVerifier.create(addresses.removeAlias("team@" + domain, "a@x.example"))
                .verifyErrorMatches(e -> ((DirectoryException) e).reason() == Reason.UNKNOWN_ALIAS);

        addresses.removeAlias("team@" + domain, "b@x.example").block();
        assertThat(addresses.aliases(domain).collectList().block()).isEmpty();
        StepVerifier.create(addresses.removeAlias("team@" + domain, null))
                .verifyErrorMatches(e -> ((DirectoryException) e).reason() == Reason.UNKNOWN_ALIAS);
    }

    @Test
    void removingATargetShouldIgnoreTheCaseOfItsLocalPart() {
        String domain = domain();
        addresses.addAlias("team@" + domain, List.of("John.Doe@x.example", "b@x.example")).block();

        addresses.removeAlias("team@" + domain, "john.doe@x.example").block();

        assertThat(addresses.route("team@" + domain).block().aliasTargets()).containsExactly("b@x.example");
    }

    @Test
    void forwardingOfAnUnknownAccountShouldFail() {
        StepVerifier.create(addresses.setForwarding("nobody-x7q2", List.of("a@b.example"), true))
                .verifyErrorMatches(e -> ((DirectoryException) e).reason() == Reason.UNKNOWN_ACCOUNT);
    }

    @Test
    void forwardingsShouldListOnlyAccountsThatForward() {
        String domain = domain();
        directory.addAccount(new NewAccount("ann@" + domain, "ann-" + domain, "Ann", null)).block();
        directory.addAccount(new NewAccount("bob@" + domain, "bob-" + domain, "Bob", null)).block();
        addresses.setForwarding("bob-" + domain, List.of("bob@away.example"), true).block();

        assertThat(addresses.forwardings(domain).collectList().block())
                .extracting(f -> f.address()).containsExactly("bob@" + domain);

        addresses.setForwarding("bob-" + domain, List.of(), true).block();
        assertThat(addresses.forwardings(domain).collectList().block()).isEmpty();
    }

    @Test
    void removingADomainShouldRemoveItsAliases() {
        String domain = domain();
        addresses.addAlias("team@" + domain, List.of("a@x.example")).block();

        directory.removeDomain(domain).block();

        assertThat(addresses.aliases(domain).collectList().block()).isEmpty();
    }
}
