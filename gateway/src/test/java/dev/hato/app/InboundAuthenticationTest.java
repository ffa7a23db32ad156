package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.mail.MessageMeta;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inbound authentication end to end: messages signed by an independent implementation (dkimpy, Debian's
 * python3-dkim), delivered over a real SMTP socket to the MTA port, SPF, DKIM keys and DMARC policies served by a
 * loopback DNS server; the stored message is read back and its Authentication-Results checked.
 */
class InboundAuthenticationTest {

    private static final String PYTHON = Files.exists(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static final String SIGN = String.join("\n",
            "import sys, dkim",
            "message = open(sys.argv[1], 'rb').read()",
            "key = open(sys.argv[4], 'rb').read().strip()",
            "c = sys.argv[6].encode().split(b'/')",
            "length = sys.argv[7] == 'l'",
            "sig = dkim.sign(message, sys.argv[2].encode(), sys.argv[3].encode(), key,",
            "    canonicalize=(c[0], c[1]), signature_algorithm=sys.argv[5].encode(), length=length,",
            "    include_headers=[b'from', b'to', b'subject'])",
            "sys.stdout.buffer.write(sig)");

    private static final String ARC_SIGN = String.join("\n",
            "import sys, dkim",
            "message = open(sys.argv[1], 'rb').read()",
            "key = open(sys.argv[2], 'rb').read().strip()",
            "fields = dkim.arc_sign(message, b'rsa', b'signed.test', key, b'relay.signed.test',",
            "    include_headers=[b'from', b'to', b'subject'])",
            "sys.stdout.buffer.write(b''.join(fields))");

    private static TestDnsServer dns;
    private static RunningHato hato;
    private static Path work;
    private static Path rsaKey;
    private static Path edKey;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("hato-inbound-test-");
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair rsa = generator.generateKeyPair();
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(rsa.getPrivate());
        }
        rsaKey = Files.writeString(work.resolve("rsa.pem"), pem.toString());
        Ed25519PrivateKeyParameters ed = new Ed25519PrivateKeyParameters(new SecureRandom());
        edKey = Files.writeString(work.resolve("ed25519.key"), Base64.getEncoder().encodeToString(ed.getEncoded()));
        String edPublic = Base64.getEncoder().encodeToString(ed.generatePublicKey().getEncoded());
        String rsaPublic = Base64.getEncoder().encodeToString(rsa.getPublic().getEncoded());

        dns = new TestDnsServer();
        // signed.test: everything in order, policy reject.
        dns.txt("signed.test", "v=spf1 ip4:127.0.0.0/8 -all")
                .txt("rsa._domainkey.signed.test", "v=DKIM1; k=rsa; p=" + rsaPublic)
                .txt("ed._domainkey.signed.test", "v=DKIM1; k=ed25519; p=" + edPublic)
                .txt("_dmarc.signed.test", "v=DMARC1; p=reject; rua=mailto:dmarc@signed.test");
        // forged.test: publishes a reject policy, and an SPF record that does not list us.
        dns.txt("forged.test", "v=spf1 ip4:192.0.2.0/24 -all")
                .txt("_dmarc.forged.test", "v=DMARC1; p=reject");
        // careful.test: quarantine, for its subdomains too (organisational-domain fallback).
        dns.txt("careful.test", "v=spf1 -all")
                .txt("_dmarc.careful.test", "v=DMARC1; p=quarantine; sp=quarantine");
        // slow.test: a reject policy, but its SPF record never answers.
        dns.silent("slow.test").txt("_dmarc.slow.test", "v=DMARC1; p=reject");
        hato = RunningHato.start(work.resolve("data"), "--hato.outbound.enabled=false",
                "--hato.inbound.dns-servers=" + dns.address(), "--hato.inbound.dns-timeout=500ms",
                "--hato.inbound.deadline=3s",
                "--hato.inbound.dmarc.domains[lab.example.test]=monitor",
                "--hato.inbound.dmarc.domains[dept.example.test]=quarantine");
        hato.provisioning().addDomain(RunningHato.DOMAIN).block(Duration.ofSeconds(30));
        hato.provisioning().addDomain("lab.example.test").block(Duration.ofSeconds(30));
        hato.provisioning().addDomain("dept.example.test").block(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws Exception {
        if (hato != null) {
            hato.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void messagesSignedByDkimpyShouldPassSpfDkimAndDmarc() throws Exception {
        RunningHato.User rcpt = hato.newUser("auth-pass");
        String message = "From: Alice <alice@signed.test>\r\nTo: " + rcpt.address() + "\r\nSubject: signed\r\n"
                + "Message-ID: <1@signed.test>\r\n\r\nHello,   signed   world.\r\n\r\n\r\n";
        String signed = sign(message, "rsa", "rsa-sha256", "relaxed/relaxed", false)
                + sign(message, "ed", "ed25519-sha256", "simple/simple", false) + message;
        assertThat(deliver("alice@signed.test", rcpt, signed)).startsWith("250");
        String stored = lastInInbox(rcpt);
        String results = authenticationResults(stored);
        assertThat(stored).startsWith("Return-Path: <alice@signed.test>\r\nAuthentication-Results: "
                + RunningHato.HOST + ";");
        assertThat(results).contains("spf=pass").contains("smtp.mailfrom=alice@signed.test")
                .containsPattern("dkim=pass \\(signature verified\\) header.d=signed.test header.i=@signed.test"
                        + " header.s=rsa header.a=rsa-sha256 header.b=\"?\\S{8}\"?;")
                .containsPattern("dkim=pass \\(signature verified\\) header.d=signed.test header.i=@signed.test"
                        + " header.s=ed header.a=ed25519-sha256 header.b=")
                .contains("dmarc=pass (p=reject dis=none; aligned SPF) header.from=signed.test");
        assertThat(stored).endsWith(message.substring(message.indexOf("From:")));
    }

    @Test
    void aBrokenSignatureShouldFailAndWithoutAlignedSpfTheRejectPolicyApplies() throws Exception {
        RunningHato.User rcpt = hato.newUser("auth-reject");
        String message = "From: boss@forged.test\r\nTo: " + rcpt.address() + "\r\nSubject: pay now\r\n\r\nPay.\r\n";
        // Signed by the real key of signed.test for a From of forged.test, and the body changed afterwards.
        String signed = sign(message, "rsa", "rsa-sha256", "relaxed/relaxed", false)
                + message.replace("Pay.", "Pay 1000.");
        List<String> replies = SmtpLines.send(hato.port("smtp"), "MAIL FROM:<boss@forged.test>",
                "RCPT TO:<" + rcpt.address() + ">", "DATA", signed + ".");
        assertThat(replies.get(3)).startsWith("550 5.7.1").contains("DMARC");
        assertThat(hato.inbox(rcpt)).isEmpty();
    }

    @Test
    void eachLocalDomainShouldTreatADmarcFailureAsItChoseAndAMessageForSeveralAsTheMostLenient() throws Exception {
        RunningHato.User monitoring = hato.newUser("auth-lab", "lab.example.test");
        RunningHato.User quarantining = hato.newUser("auth-dept", "dept.example.test");
        RunningHato.User enforcing = hato.newUser("auth-main");

        // forged.test publishes p=reject and our address is not in its SPF record: dmarc=fail everywhere.
        assertThat(forged(monitoring)).startsWith("250");
        assertThat(authenticationResults(lastInInbox(monitoring))).contains("dmarc=fail");

        assertThat(forged(quarantining)).startsWith("250");
        assertThat(hato.inbox(quarantining)).isEmpty();
        assertThat(junk(quarantining)).hasSize(1);

        assertThat(forged(enforcing)).startsWith("550 5.7.1");
        assertThat(forged(quarantining, enforcing)).as("quarantine is the most lenient of the two").startsWith("250");
        assertThat(hato.inbox(enforcing)).isEmpty();
        assertThat(junk(enforcing)).hasSize(1);
        assertThat(forged(enforcing, monitoring)).as("monitor is the most lenient of the two").startsWith("250");
        assertThat(hato.inbox(enforcing)).hasSize(1);
    }

    /** A message from forged.test (p=reject, failing) to {@code recipients}: the reply to its content. */
    private static String forged(RunningHato.User... recipients) throws Exception {
        List<String> commands = new java.util.ArrayList<>(List.of("MAIL FROM:<boss@forged.test>"));
        for (RunningHato.User recipient : recipients) {
            commands.add("RCPT TO:<" + recipient.address() + ">");
        }
        commands.add("DATA");
        commands.add("From: boss@forged.test\r\nSubject: pay now\r\n\r\nPay.\r\n.");
        List<String> replies = SmtpLines.send(hato.port("smtp"), commands.toArray(String[]::new));
        return replies.get(replies.size() - 1);
    }

    private static List<MessageMeta> junk(RunningHato.User user) {
        var junk = hato.store().mailboxes().find(user.accountId(), "Junk").block(Duration.ofSeconds(30));
        return hato.store().mailboxes().messages(user.accountId(), junk.id()).collectList()
                .block(Duration.ofSeconds(30));
    }

    @Test
    void quarantineShouldFileIntoJunkAndSubdomainsFallBackToTheOrganisationalDomain() throws Exception {
        RunningHato.User rcpt = hato.newUser("auth-junk");
        String message = "From: news@mail.careful.test\r\nTo: " + rcpt.address() + "\r\nSubject: q\r\n\r\nHi.\r\n";
        assertThat(deliver("news@mail.careful.test", rcpt, message)).startsWith("250");
        assertThat(hato.inbox(rcpt)).isEmpty();
        var junk = hato.store().mailboxes().find(rcpt.accountId(), "Junk").block(Duration.ofSeconds(30));
        List<MessageMeta> junked = hato.store().mailboxes().messages(rcpt.accountId(), junk.id()).collectList()
                .block(Duration.ofSeconds(30));
        assertThat(junked).hasSize(1);
        String results = authenticationResults(new String(hato.content(junked.get(0)), StandardCharsets.UTF_8));
        // mail.careful.test publishes no SPF record of its own; its policy comes from careful.test.
        assertThat(results).contains("spf=none").contains("dkim=none")
                .contains("dmarc=fail (p=quarantine dis=quarantine; no aligned pass) header.from=mail.careful.test");
    }

    @Test
    void aJunkMailboxDeletedByItsOwnerShouldBeCreatedAgain() throws Exception {
        RunningHato.User rcpt = hato.newUser("auth-nojunk");
        hato.store().mailboxes().delete(rcpt.accountId(), "Junk").block(Duration.ofSeconds(30));
        String message = "From: x@careful.test\r\nTo: " + rcpt.address() + "\r\nSubject: q\r\n\r\nHi.\r\n";
        assertThat(deliver("x@careful.test", rcpt, message)).startsWith("250");
        var junk = hato.store().mailboxes().find(rcpt.accountId(), "Junk").block(Duration.ofSeconds(30));
        assertThat(junk).isNotNull();
        assertThat(junk.specialUse()).isEqualTo("\\Junk");
        assertThat(hato.store().mailboxes().messages(rcpt.accountId(), junk.id()).count()
                .block(Duration.ofSeconds(30))).isEqualTo(1);
    }

    @Test
    void aDnsTimeoutShouldGiveTemperrorAndAcceptDespiteARejectPolicy() throws Exception {
        RunningHato.User rcpt = hato.newUser("auth-slow");
        String message = "From: a@slow.test\r\nTo: " + rcpt.address() + "\r\nSubject: s\r\n\r\nHi.\r\n";
        assertThat(deliver("a@slow.test", rcpt, message)).startsWith("250");
        String results = authenticationResults(lastInInbox(rcpt));
        assertThat(results).contains("spf=temperror").contains("dmarc=temperror");
    }

    @Test
    void forgedResultsClaimingOurAuthservIdShouldBeRenamedAndOthersKept() throws Exception {
        RunningHato.User rcpt = hato.newUser("auth-forged");
        String message = "Authentication-Results: " + RunningHato.HOST + "; dkim=pass header.d=bank.test\r\n"
                + "authentication-results:\r\n (comment) \"" + RunningHato.HOST + "\"; spf=pass\r\n"
                + "Authentication-Results: other.example; spf=fail\r\n"
                + "From: a@signed.test\r\nTo: " + rcpt.address() + "\r\nSubject: f\r\n\r\nHi.\r\n";
        assertThat(deliver("a@signed.test", rcpt, message)).startsWith("250");
        String stored = lastInInbox(rcpt);
        assertThat(stored).contains("\r\nX-Original-Auth-Result: " + RunningHato.HOST + "; dkim=pass")
                .contains("\r\nX-Original-Auth-Result:\r\n (comment) \"" + RunningHato.HOST + "\"; spf=pass")
                .contains("\r\nAuthentication-Results: other.example; spf=fail\r\n");
        assertThat(stored.split("Authentication-Results: " + RunningHato.HOST, -1)).hasSize(2);
    }

    @Test
    void aMessageEndingInsideAHeldFieldShouldKeepEveryOctet() throws Exception {
        RunningHato.User rcpt = hato.newUser("auth-held");
        String message = "From: a@nowhere.test\r\nSubject: h\r\nAuthentication-Results:\r\n";
        assertThat(deliver("a@nowhere.test", rcpt, message)).startsWith("250");
        assertThat(lastInInbox(rcpt)).endsWith("\r\nSubject: h\r\nAuthentication-Results:\r\n");
    }

    @Test
    void aSignatureWithAnLTagThatLeavesTheBodyPartlyUnsignedShouldNotPass() throws Exception {
        RunningHato.User rcpt = hato.newUser("auth-length");
        String message = "From: alice@signed.test\r\nTo: " + rcpt.address() + "\r\nSubject: l\r\n\r\nSigned part.\r\n";
        String signed = sign(message, "rsa", "rsa-sha256", "simple/simple", true) + message
                + "Appended by someone else.\r\n";
        assertThat(deliver("alice@signed.test", rcpt, signed)).startsWith("250");
        String results = authenticationResults(lastInInbox(rcpt));
        assertThat(results).contains("dkim=policy (l= leaves part of the body unsigned)")
                .contains("dmarc=pass (p=reject dis=none; aligned SPF)");
    }

    @Test
    void anArcChainSealedByDkimpyShouldPassAndABrokenOneFail() throws Exception {
        RunningHato.User rcpt = hato.newUser("auth-arc");
        String message = "Authentication-Results: relay.signed.test; spf=pass smtp.mailfrom=list@signed.test\r\n"
                + "From: list@signed.test\r\nTo: " + rcpt.address() + "\r\nSubject: arc\r\n\r\nRelayed.\r\n";
        String sealed = arcSign(message) + message;
        assertThat(deliver("list@signed.test", rcpt, sealed)).startsWith("250");
        assertThat(authenticationResults(lastInInbox(rcpt))).contains("arc=pass (chain of 1 verified)");
        assertThat(deliver("list@signed.test", rcpt, sealed.replace("Relayed.", "Changed."))).startsWith("250");
        assertThat(authenticationResults(lastInInbox(rcpt)))
                .contains("arc=fail (ARC-Message-Signature i=1: body hash did not verify)");
        assertThat(deliver("list@signed.test", rcpt, sealed.replace("cv=none", "cv=pass"))).startsWith("250");
        assertThat(authenticationResults(lastInInbox(rcpt))).contains("arc=fail (ARC-Seal i=1 has cv=pass)");
        assertThat(deliver("list@signed.test", rcpt, message)).startsWith("250");
        assertThat(authenticationResults(lastInInbox(rcpt))).contains("arc=none (no ARC sets)");
    }

    /** The ARC set dkimpy adds for {@code message} as relay.signed.test, with the key of rsa._domainkey.signed.test. */
    private static String arcSign(String message) throws Exception {
        Path file = Files.createTempFile(work, "arc-", ".eml");
        Files.writeString(file, message, StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(PYTHON, "-c", ARC_SIGN, file.toString(), rsaKey.toString()).start();
        byte[] out = process.getInputStream().readAllBytes();
        String error = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("dkimpy: %s", error).isZero();
        String fields = new String(out, StandardCharsets.US_ASCII).replace("\r\n", "\n").replace("\n", "\r\n");
        assertThat(fields).contains("ARC-Seal:").contains("ARC-Message-Signature:")
                .contains("ARC-Authentication-Results:");
        return fields;
    }

    private static String deliver(String sender, RunningHato.User rcpt, String message) throws Exception {
        List<String> replies = SmtpLines.send(hato.port("smtp"), "MAIL FROM:<" + sender + ">",
                "RCPT TO:<" + rcpt.address() + ">", "DATA", message + ".");
        return replies.get(replies.size() - 1);
    }

    private static String lastInInbox(RunningHato.User rcpt) {
        List<MessageMeta> inbox = hato.inbox(rcpt);
        assertThat(inbox).isNotEmpty();
        return new String(hato.content(inbox.get(inbox.size() - 1)), StandardCharsets.UTF_8);
    }

    /** Our Authentication-Results field, unfolded. */
    private static String authenticationResults(String message) {
        int start = message.indexOf("Authentication-Results: " + RunningHato.HOST);
        assertThat(start).isNotNegative();
        StringBuilder field = new StringBuilder();
        for (String line : message.substring(start).split("\r\n")) {
            if (!field.isEmpty() && !line.startsWith("\t") && !line.startsWith(" ")) {
                break;
            }
            field.append(line.strip()).append(' ');
        }
        return field.toString();
    }

    /** The DKIM-Signature field dkimpy makes for {@code message}. */
    private static String sign(String message, String selector, String algorithm, String canonicalization,
                               boolean length) throws Exception {
        Path file = Files.createTempFile(work, "msg-", ".eml");
        Files.writeString(file, message, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(PYTHON, "-c", SIGN, file.toString(), selector,
                "signed.test", (algorithm.startsWith("ed") ? edKey : rsaKey).toString(), algorithm,
                canonicalization, length ? "l" : "-"));
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] out = process.getInputStream().readAllBytes();
        String error = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("dkimpy: %s", error).isZero();
        String field = new String(out, StandardCharsets.US_ASCII);
        assertThat(field).startsWith("DKIM-Signature:");
        return field.replace("\r\n", "\n").replace("\n", "\r\n");
    }
}
