package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.delivery.Recipient;
import dev.hato.delivery.RecipientResolver;
import dev.hato.store.directory.Addresses;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Aliases, plus-addressing, catch-all, forwarding and loop detection, through the resolver on the real store and
 * through SMTP on a real socket.
 */
class AddressRoutingTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final AtomicInteger NEXT = new AtomicInteger();

    private final Addresses addresses = HATO.store().addresses();
    private final RecipientResolver resolver = new RecipientResolver(addresses, RunningHato.HOST, null, "+");

    private static String fresh(String prefix) {
        return prefix + NEXT.incrementAndGet() + "-" + System.nanoTime() % 100_000;
    }

    @Test
    void anAliasShouldReachEveryLocalTargetOnceAndNameTheRemoteOnes() {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        String team = fresh("team") + "@" + RunningHato.DOMAIN;
        String inner = fresh("inner") + "@" + RunningHato.DOMAIN;
        addresses.addAlias(inner, List.of(bob.address(), "far@remote.example")).block();
        addresses.addAlias(team, List.of(ann.address(), inner, bob.address().toUpperCase())).block();

        Recipient.Resolved resolved = (Recipient.Resolved) resolver.resolve(team.toUpperCase()).block();

        assertThat(resolved.accounts()).extracting(a -> a.address()).containsExactly(ann.address(), bob.address());
        assertThat(resolved.remote()).containsExactly("far@remote.example");
        // Both sent the message elsewhere (team through inner): both become Delivered-To fields.
        assertThat(resolved.forwardedBy()).containsExactlyInAnyOrder(team, inner);
        addresses.addAlias(fresh("local") + "@" + RunningHato.DOMAIN, List.of(ann.address())).block();
    }

    @Test
    void anAliasOnlyToLocalAccountsShouldNeverBeNamedInADeliveredToField() {
        RunningHato.User ann = HATO.newUser("ann");
        String local = fresh("local") + "@" + RunningHato.DOMAIN;
        addresses.addAlias(local, List.of(ann.address())).block();

        assertThat(((Recipient.Resolved) resolver.resolve(local).block()).forwardedBy()).isEmpty();
    }

    @Test
    void anExpansionCutShortShouldBeRefusedNotHalfDelivered() {
        RunningHato.User ann = HATO.newUser("ann");
        String previous = ann.address();
        for (int level = 0; level <= RecipientResolver.MAX_DEPTH + 1; level++) {
            String alias = fresh("deep") + "@" + RunningHato.DOMAIN;
            addresses.addAlias(alias, List.of(previous, fresh("side") + "@remote.example")).block();
            previous = alias;
        }

        assertThat(resolver.resolve(previous).block()).isInstanceOf(Recipient.Unroutable.class);
    }

    @Test
    void aLoopAmongLocalAliasesShouldBeUnroutableNotEndless() {
        String a = fresh("loop-a") + "@" + RunningHato.DOMAIN;
        String b = fresh("loop-b") + "@" + RunningHato.DOMAIN;
        addresses.addAlias(a, List.of(b)).block();
        addresses.addAlias(b, List.of(a)).block();

        assertThat(resolver.resolve(a).block()).isInstanceOf(Recipient.Unroutable.class);
    }

    @Test
    void plusAddressingShouldReachTheAccountUnlessTheTaggedAddressExists() {
        RunningHato.User ann = HATO.newUser("ann");
        String local = ann.address().substring(0, ann.address().indexOf('@'));
        String literal = local + "+lists@" + RunningHato.DOMAIN;
        RunningHato.User bob = HATO.newUser("bob");
        addresses.addAlias(literal, List.of(bob.address())).block();

        assertThat(accounts(resolver.resolve(local + "+Shopping@" + RunningHato.DOMAIN).block()))
                .containsExactly(ann.address());
        assertThat(accounts(resolver.resolve(literal).block())).containsExactly(bob.address());
        assertThat(accounts(new RecipientResolver(addresses, RunningHato.HOST, null, "")
                .resolve(local + "+shopping@" + RunningHato.DOMAIN).block())).isEmpty();
    }

    @Test
    void aCatchAllShouldTakeUnknownAddressesOnlyOfItsDomainAndOnlyWhenSet() {
        String domain = fresh("catch") + ".example";
        HATO.provisioning().addDomain(domain).block();
        RunningHato.User boss = HATO.newUser("boss", domain);

        assertThat(resolver.resolve("whoever@" + domain).block()).isInstanceOf(Recipient.UnknownLocal.class);
        addresses.setCatchAll(domain, boss.address()).block();
        assertThat(accounts(resolver.resolve("whoever@" + domain).block())).containsExactly(boss.address());
        assertThat(accounts(resolver.resolve("whoever+tag@" + domain).block())).containsExactly(boss.address());
        assertThat(resolver.resolve("whoever@" + RunningHato.DOMAIN).block())
                .isInstanceOf(Recipient.UnknownLocal.class);
    }

    @Test
    void forwardingShouldKeepACopyOnlyWhenAsked() {
        RunningHato.User ann = HATO.newUser("ann");
        addresses.setForwarding(ann.authId(), List.of("ann@away.example"), false).block();
        Recipient.Resolved away = (Recipient.Resolved) resolver.resolve(ann.address()).block();
        assertThat(away.accounts()).isEmpty();
        assertThat(away.remote()).containsExactly("ann@away.example");
        assertThat(away.forwardedBy()).containsExactly(ann.address());

        addresses.setForwarding(ann.authId(), List.of("ann@away.example"), true).block();
        assertThat(accounts(resolver.resolve(ann.address()).block())).containsExactly(ann.address());
    }

    @Test
    void mailToAnAliasAndAPlusAddressShouldArriveOverSmtp() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        String team = fresh("team") + "@" + RunningHato.DOMAIN;
        addresses.addAlias(team, List.of(ann.address(), bob.address())).block();
        String tagged = ann.address().replace("@", "+news@");

        List<String> replies = smtp("MAIL FROM:<sender@remote.example>", "RCPT TO:<" + team + ">",
                "RCPT TO:<" + tagged + ">", "DATA", "Subject: to the team\r\n\r\nhello\r\n.");

        assertThat(replies).last().asString().startsWith("250 2.0.0").contains("stored for 2 local recipient");
        assertThat(HATO.inbox(ann)).hasSize(1);
        assertThat(HATO.inbox(bob)).hasSize(1);
        String stored = new String(HATO.content(HATO.inbox(ann).get(0)), StandardCharsets.UTF_8);
        assertThat(stored).doesNotContain("Delivered-To").contains("Subject: to the team");
    }

    @Test
    void forwardingElsewhereShouldQueueTheMessageWithItsDeliveredToField() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        String away = "ann-" + System.nanoTime() + "@away.example";
        addresses.setForwarding(ann.authId(), List.of(away), false).block();

        List<String> replies = smtp("MAIL FROM:<sender@remote.example>",
                "RCPT TO:<" + ann.address() + "> NOTIFY=FAILURE", "DATA", "Subject: forwarded\r\n\r\nGrüße\r\n.");

        assertThat(replies).last().asString().startsWith("250 2.0.0").contains("queued for 1 remote");
        assertThat(HATO.inbox(ann)).isEmpty();
        var queued = HATO.store().outboundQueue().list().collectList().block().stream()
                .filter(entry -> entry.recipient().address().equals(away)).toList();
        assertThat(queued).hasSize(1);
        // Forwarded elsewhere, it leaves with an SRS sender of the forwarding domain, so SPF passes at the target
        // and a bounce comes back through Hato to the original sender (docs/sieve.md, "Forwarded mail: SRS").
        assertThat(queued.get(0).message().envelope().sender())
                .matches("SRS0=[a-z2-7]{6}=[a-z2-7]{2}=remote\\.example=sender@" + RunningHato.DOMAIN.replace(".", "\\."));
        // No BODY=8BITMIME was declared, but the content has 8-bit octets: it travels as what it is (RFC 6152).
        assertThat(queued.get(0).message().envelope().body()).isEqualTo(Envelope.Body.EIGHT_BIT_MIME);
        assertThat(queued.get(0).recipient().notifyOn()).containsExactly(OutboundRecipient.Notify.FAILURE);
        assertThat(queued.get(0).recipient().orcpt()).isEqualTo("rfc822;" + ann.address());
        String content = HATO.store().outboundQueue().content(queued.get(0).message().blobId())
                .reduce(new StringBuilder(), (all, chunk) -> all.append(StandardCharsets.UTF_8.decode(chunk)))
                .block().toString();
        // Authentication-Results (port 25) comes between Return-Path and the other trace fields.
        assertThat(content).startsWith("Return-Path: <sender@remote.example>\r\nAuthentication-Results: ")
                .contains("\r\n\tdmarc=permerror (no From field);\r\n\tarc=none (no ARC sets)\r\nDelivered-To: " + ann.address() + "\r\nReceived: ");
    }

    @Test
    void aMessageThatCameBackThroughItsForwarderOrWentRoundTooOftenShouldBeRefused() throws Exception {
        String team = fresh("team") + "@" + RunningHato.DOMAIN;
        RunningHato.User ann = HATO.newUser("ann");
        addresses.addAlias(team, List.of(ann.address(), "Member@Elsewhere.example")).block();
        Recipient.Resolved expanded = (Recipient.Resolved) resolver.resolve(team).block();
        assertThat(expanded.remote()).as("a remote local part keeps its case").containsExactly("Member@elsewhere.example");

        List<String> looped = smtp("MAIL FROM:<sender@remote.example>", "RCPT TO:<" + team + ">", "DATA",
                "Delivered-To: " + team.toUpperCase() + "\r\nSubject: again\r\n\r\nhello\r\n.");
        assertThat(looped).last().asString().startsWith("554 5.4.6").contains("loop for <" + team + ">");

        String hops = "Received: from x by y; Mon, 1 Jan 2024 00:00:00 +0000\r\n".repeat(100);
        List<String> tooMany = smtp("MAIL FROM:<sender@remote.example>", "RCPT TO:<" + ann.address() + ">",
                "DATA", hops + "Subject: round\r\n\r\nhello\r\n.");
        assertThat(tooMany).last().asString().startsWith("554 5.4.6").contains("too many hops");

        String fine = "Received: from x by y; Mon, 1 Jan 2024 00:00:00 +0000\r\n".repeat(99);
        List<String> accepted = smtp("MAIL FROM:<sender@remote.example>", "RCPT TO:<" + ann.address() + ">",
                "DATA", fine + "Subject: round\r\n\r\nhello\r\n.");
        assertThat(accepted).last().asString().startsWith("250 2.0.0");
        assertThat(HATO.inbox(ann)).hasSize(1);
    }

    private static List<String> accounts(Recipient recipient) {
        return recipient instanceof Recipient.Resolved resolved
                ? resolved.accounts().stream().map(a -> a.address()).toList() : List.of();
    }

    private static List<String> smtp(String... commands) throws Exception {
        return SmtpLines.send(HATO.port("smtp"), commands);
    }
}
