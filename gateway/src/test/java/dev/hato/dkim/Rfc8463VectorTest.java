package dev.hato.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;

/**
 * An independent implementation's signatures, from RFC 8463 Appendix A: our canonicalization, body hash and both
 * signing algorithms must give the RFC's bh= and b= values exactly (Ed25519 and RSASSA-PKCS1-v1_5 are both
 * deterministic, so equal bytes are the test, not a verification).
 */
class Rfc8463VectorTest {

    private static final List<String> RFC_H = Arrays.stream(
            "from : to : subject : date : message-id : from : subject : date".split(":")).map(String::trim).toList();

    private static CanonicalMessage canonical(byte[] message, int... splits) {
        CanonicalMessage canonical = new CanonicalMessage(64 * 1024);
        int from = 0;
        for (int split : splits) {
            canonical.update(ByteBuffer.wrap(message, from, split - from));
            from = split;
        }
        canonical.update(ByteBuffer.wrap(message, from, message.length - from));
        return canonical.finish();
    }

    /** The RFC's own DKIM-Signature field number {@code index}, its b= value cut off (RFC 6376 §3.7). */
    private static byte[] unsignedField(CanonicalMessage message, int index) {
        byte[] raw = message.header().fields().stream().filter(f -> f.name().equals("dkim-signature"))
                .toList().get(index).raw();
        String text = new String(raw, StandardCharsets.US_ASCII);
        int b = text.indexOf("\r\n b=");
        assertThat(b).isPositive();
        return text.substring(0, b + " b=".length() + 2).getBytes(StandardCharsets.US_ASCII);
    }

    private static String signature(DkimAlgorithm algorithm, PrivateKey key, CanonicalMessage message, int index) {
        byte[] input = SignatureField.headerHashInput(message.header(), RFC_H, unsignedField(message, index));
        return Base64.getEncoder().encodeToString(algorithm.sign(key, input, new SecureRandom()));
    }

    @Test
    void theRelaxedBodyHashShouldBeTheRfcsBhValue() {
        assertThat(Base64.getEncoder().encodeToString(canonical(Rfc8463.MESSAGE).bodyHash()))
                .isEqualTo(Rfc8463.BODY_HASH);
    }

    @Test
    void theEd25519SecretKeyOfTheRfcShouldBelongToItsPublishedRecord() {
        byte[] seed = Base64.getDecoder().decode(Rfc8463.ED25519_SECRET);
        String published = Base64.getEncoder().encodeToString(
                new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded());
        assertThat(Rfc8463.ED25519_RECORD).endsWith("p=" + published);
    }

    @Test
    void anEd25519SignatureOverTheRfcsHeaderShouldEqualTheRfcsBValue() throws Exception {
        PrivateKey key = DkimAlgorithm.ED25519_SHA256.privateKey(Rfc8463.ed25519Pkcs8());

        assertThat(signature(DkimAlgorithm.ED25519_SHA256, key, canonical(Rfc8463.MESSAGE), 0))
                .isEqualTo(Rfc8463.ED25519_B);
    }

    @Test
    void anRsaSignatureOverTheRfcsHeaderShouldEqualTheRfcsBValue() throws Exception {
        byte[] pkcs1 = Base64.getMimeDecoder().decode(Rfc8463.RSA_PRIVATE_PKCS1
                .replace("-----BEGIN RSA PRIVATE KEY-----", "").replace("-----END RSA PRIVATE KEY-----", "").trim());
        byte[] pkcs8 = new PrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                ASN1Primitive.fromByteArray(pkcs1)).getEncoded();
        PrivateKey key = DkimAlgorithm.RSA_SHA256.privateKey(pkcs8);

        assertThat(signature(DkimAlgorithm.RSA_SHA256, key, canonical(Rfc8463.MESSAGE), 1)).isEqualTo(Rfc8463.RSA_B);
    }

    @Test
    void theMessageSplitAtEveryOffsetShouldGiveTheSameBodyHashAndSignature() throws Exception {
        PrivateKey key = DkimAlgorithm.ED25519_SHA256.privateKey(Rfc8463.ed25519Pkcs8());
        for (int split = 0; split <= Rfc8463.MESSAGE.length; split++) {
            CanonicalMessage message = canonical(Rfc8463.MESSAGE, split);
            assertThat(Base64.getEncoder().encodeToString(message.bodyHash())).as("split at %d", split)
                    .isEqualTo(Rfc8463.BODY_HASH);
            assertThat(signature(DkimAlgorithm.ED25519_SHA256, key, message, 0)).as("split at %d", split)
                    .isEqualTo(Rfc8463.ED25519_B);
        }
        int[] everyOctet = new int[Rfc8463.MESSAGE.length - 1];
        Arrays.setAll(everyOctet, i -> i + 1);
        assertThat(signature(DkimAlgorithm.ED25519_SHA256, key, canonical(Rfc8463.MESSAGE, everyOctet), 0))
                .isEqualTo(Rfc8463.ED25519_B);
    }
}
