package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.dkim.DkimSigner;
import dev.hato.dkim.Dkimpy;
import dev.hato.dkim.MessageSigner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import reactor.core.publisher.Flux;

/** {@code hato dkim …} against the running server's store, and the record it prints checked by dkimpy. */
class DkimCommandTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final Pattern ZONE_LINE = Pattern.compile(
            "([a-z0-9.-]+)\\._domainkey\\.([a-z0-9.-]+)\\. IN TXT((?: \"[^\"]{1,255}\")+)");

    private static CliRun hato(String... args) {
        return CliRun.of(HATO.dataDir(), "", args);
    }

    /** "name TAB text" of a printed zone line: the DNS name and the strings joined, as a verifier reads them. */
    private static String record(String zoneLine) {
        Matcher matcher = ZONE_LINE.matcher(zoneLine.trim());
        assertThat(matcher.matches()).as(zoneLine).isTrue();
        String text = String.join("", Pattern.compile("\"([^\"]*)\"").matcher(matcher.group(3)).results()
                .map(m -> m.group(1)).toList());
        return matcher.group(1) + "._domainkey." + matcher.group(2) + "\t" + text;
    }

    private static HatoProperties properties(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("hato", HatoProperties.class);
    }

    @Test
    void keygenShouldPrintRecordsThatDkimpyVerifiesTheRunningServersSignaturesWith() throws Exception {
        CliRun rsa = hato("dkim", "keygen", "Signed.Example", "--selector", "r1");
        assertThat(rsa.status()).as(rsa.err()).isZero();
        assertThat(rsa.err()).contains("active");
        CliRun ed = hato("dkim", "keygen", "signed.example", "--selector", "e1", "--algorithm", "ed25519");
        assertThat(ed.status()).as(ed.err()).isZero();

        String rsaRecord = record(rsa.out());
        assertThat(rsaRecord).startsWith("r1._domainkey.signed.example\tv=DKIM1; k=rsa; p=");
        assertThat(rsa.out()).contains("\" \""); // 2048-bit: longer than one 255-character string
        byte[] spki = Base64.getDecoder().decode(rsaRecord.substring(rsaRecord.indexOf("p=") + 2));
        RSAPublicKey publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(spki));
        assertThat(publicKey.getModulus().bitLength()).isEqualTo(2048);
        String edRecord = record(ed.out());
        assertThat(edRecord).matches("e1\\._domainkey\\.signed\\.example\tv=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=");

        assertThat(hato("dkim", "list", "signed.example").out().lines().toList()).satisfiesExactlyInAnyOrder(
                line -> assertThat(line).startsWith("signed.example\tr1\trsa-sha256\tactive\t"),
                line -> assertThat(line).startsWith("signed.example\te1\ted25519-sha256\tactive\t"));
        assertThat(hato("dkim", "show", "signed.example").out().lines().map(DkimCommandTest::record).toList())
                .containsExactlyInAnyOrder(rsaRecord, edRecord);
        assertThat(hato("dkim", "show", "signed.example", "E1").out()).isEqualTo(ed.out());

        // The signer the application wires, over the running server's store.
        MessageSigner signer = new HatoApplication().messageSigner(properties(Map.of()), HATO.store());
        assertThat(signer).isInstanceOf(DkimSigner.class);
        byte[] message = ("From: ann@signed.example\r\nTo: bob@example.net\r\nSubject: signed by the CLI's keys\r\n"
                + "\r\nHello.\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] fields = signer.sign("signed.example", Flux.just(ByteBuffer.wrap(message))).block(Duration.ofSeconds(30));
        byte[] signed = new byte[fields.length + message.length];
        System.arraycopy(fields, 0, signed, 0, fields.length);
        System.arraycopy(message, 0, signed, fields.length, message.length);

        Dkimpy dkimpy = Dkimpy.find().orElse(null);
        Assumptions.assumeTrue(dkimpy != null,
                "dkimverify (Debian package python3-dkim) is not installed; .ci/run installs it");
        Dkimpy.Verdict verdict = dkimpy.verify(signed, Map.of("HATO_DKIM_RECORDS", edRecord + "\n" + rsaRecord + "\n"));
        assertThat(verdict.output()).isEqualTo("pass pass");
    }

    @Test
    void switchingDkimOffShouldWireTheSignerThatSignsNothing() {
        MessageSigner signer = new HatoApplication().messageSigner(properties(Map.of("hato.dkim.enabled", "false")),
                HATO.store());

        assertThat(signer).isSameAs(MessageSigner.NONE);
    }

    @Test
    void aRotationShouldStageActivateAndRemoveKeys() {
        assertThat(hato("dkim", "keygen", "rotate.example", "--selector", "old", "--bits", "1024").status()).isZero();
        CliRun staged = hato("dkim", "keygen", "rotate.example", "--selector", "new", "--inactive");
        assertThat(staged.status()).as(staged.err()).isZero();
        assertThat(staged.err()).contains("hato dkim activate rotate.example new");
        assertThat(hato("dkim", "list", "rotate.example").out())
                .contains("rotate.example\tnew\trsa-sha256\tinactive", "rotate.example\told\trsa-sha256\tactive");

        CliRun activated = hato("dkim", "activate", "rotate.example", "new");
        assertThat(activated.out()).isEqualTo("activated new._domainkey.rotate.example\n");
        assertThat(hato("dkim", "list", "rotate.example").out())
                .contains("rotate.example\tnew\trsa-sha256\tactive", "rotate.example\told\trsa-sha256\tinactive");
        assertThat(hato("dkim", "list", "rotate.example", "--json").out())
                .contains("{\"domain\":\"rotate.example\",\"selector\":\"new\",\"algorithm\":\"rsa-sha256\","
                        + "\"active\":true,\"created\":\"");

        assertThat(hato("dkim", "remove", "rotate.example", "old").out())
                .isEqualTo("removed old._domainkey.rotate.example\n");
        assertThat(hato("dkim", "list", "rotate.example").out().lines().toList()).singleElement()
                .satisfies(line -> assertThat(line).startsWith("rotate.example\tnew\t"));
    }

    @Test
    void aDefaultSelectorShouldNameTheAlgorithmAndTheDay() {
        CliRun generated = hato("dkim", "keygen", "default-selector.example", "--algorithm", "ed25519");
        assertThat(generated.status()).as(generated.err()).isZero();
        assertThat(generated.out()).matches("ed25519-\\d{8}\\._domainkey\\.default-selector\\.example\\. IN TXT .*\\n");
    }

    @Test
    void badInputShouldGetOneLineAndANonZeroStatus() {
        List<List<String>> cases = List.of(
                List.of("keygen", "not a domain"),
                List.of("keygen", "bits.example", "--bits", "512"),
                List.of("keygen", "alg.example", "--algorithm", "dsa"),
                List.of("keygen", "sel.example", "--selector", "-bad-"),
                List.of("remove", "nokey.example", "s1"),
                List.of("activate", "nokey.example", "s1"),
                List.of("show", "nokey.example"));
        List<String> expected = List.of("malformed DKIM domain", "RSA keys must have 1024 to 4096 bits",
                "unknown DKIM algorithm dsa", "malformed DKIM selector", "no DKIM key s1._domainkey.nokey.example",
                "no DKIM key s1._domainkey.nokey.example", "no DKIM key for nokey.example");
        for (int i = 0; i < cases.size(); i++) {
            List<String> args = new java.util.ArrayList<>(List.of("dkim"));
            args.addAll(cases.get(i));
            CliRun result = hato(args.toArray(String[]::new));
            assertThat(result.status()).as(String.join(" ", args)).isNotZero();
            assertThat(result.err()).as(String.join(" ", args)).startsWith("hato: ").contains(expected.get(i));
        }

        assertThat(hato("dkim", "keygen", "dup.example", "--selector", "s1", "--algorithm", "ed25519").status())
                .isZero();
        CliRun duplicate = hato("dkim", "keygen", "dup.example", "--selector", "s1", "--algorithm", "ed25519");
        assertThat(duplicate.status()).isNotZero();
        assertThat(duplicate.err()).startsWith("hato: the domain dup.example already has a key with selector s1");
        assertThat(hato("dkim", "list", "dup.example").out().lines()).hasSize(1);
    }
}
