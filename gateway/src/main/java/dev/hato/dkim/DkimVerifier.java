package dev.hato.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * DKIM verification of received mail (RFC 6376 §6; rsa-sha256, and ed25519-sha256 of RFC 8463; rsa-sha1 is refused as
 * RFC 8301 requires; RSA keys below 1024 bits too). One {@link Verification} per message is fed the octets as they
 * arrive: the header section is collected (bounded), and from its end each signature's body hash is computed as the
 * body streams by (relaxed or simple, with its l=), so nothing of the body is kept. At the end, the keys are looked
 * up asynchronously and the signatures checked: at most {@code maxSignatures} of them, the ones nearest the top.
 *
 * <p>A signature whose l= leaves part of the body unsigned verifies as {@link DkimVerdict.Result#POLICY}, not pass:
 * whatever follows the signed part could have been added by anyone (RFC 6376 §8.2), so it counts for nothing in DMARC.
 */
public final class DkimVerifier {

    private static final Duration CLOCK_SKEW = Duration.ofMinutes(15);
    static final int MIN_RSA_BITS = 1024;

    private final DkimKeyLookup keys;
    private final Clock clock;
    private final int maxSignatures;
    private final int maxHeaderOctets;

    public DkimVerifier(DkimKeyLookup keys, Clock clock, int maxSignatures, int maxHeaderOctets) {
        if (maxSignatures < 1 || maxHeaderOctets < 1) {
            throw new IllegalArgumentException("maxSignatures and maxHeaderOctets must be positive");
        }
        this.keys = keys;
        this.clock = clock;
        this.maxSignatures = maxSignatures;
        this.maxHeaderOctets = maxHeaderOctets;
    }

    /** The verification of one message, to be fed its octets in order. */
    public Verification start() {
        return new Verification();
    }

    /** One signature under verification: its tags, checked, and the hash of the body it covers. */
    private record Pending(DkimVerdict verdict, Map<String, String> tags, byte[] field, @Nullable BodyHasher body,
                           @Nullable DkimVerdict early) { }

    /** RFC 8617 §4.2.1 allows 50 ARC sets; Hato validates at most this many and fails longer chains. */
    static final int MAX_ARC_SETS = 10;

    /** One ARC set's three fields, as they appear in the message. */
    private static final class ArcSet {
        byte @Nullable [] results;
        byte @Nullable [] signature;
        byte @Nullable [] seal;
    }

    /** The streamed part of one message's verification; confined to the thread that feeds it at a time. */
    public final class Verification {
        private final HeaderSection header = new HeaderSection(maxHeaderOctets);
        private final List<Pending> pending = new ArrayList<>();
        /** ARC sets by instance (1-based), read at the end of the header section. */
        private final List<ArcSet> arcSets = new ArrayList<>();
        private @Nullable String arcProblem;
        /** The ARC-Message-Signature of the highest instance, whose body hash streams with the others. */
        private @Nullable Pending arcSignature;
        private @Nullable String broken;
        private boolean finished;

        /** Takes the chunk's octets from position to limit; its position is left as it was. */
        public void update(ByteBuffer chunk) {
            if (broken != null || finished) {
                return;
            }
            if (header.complete()) {
                for (Pending signature : pending) {
                    if (signature.body() != null) {
                        signature.body().update(chunk);
                    }
                }
                if (arcSignature != null && arcSignature.body() != null) {
                    arcSignature.body().update(chunk);
                }
                return;
            }
            int bodyStart;
            try {
                bodyStart = header.update(chunk);
            } catch (DkimException e) {
                broken = e.getMessage();
                return;
            }
            if (bodyStart >= 0) {
                headerComplete();
                update(chunk.duplicate().position(bodyStart));
            }
        }

        /** The values of the header fields named {@code name} (after the colon, unfolded), once the header is known. */
        public List<String> fieldValues(String name) {
            if (!header.complete() || broken != null) {
                return List.of();
            }
            String lower = name.toLowerCase(Locale.ROOT);
            List<String> values = new ArrayList<>();
            for (HeaderSection.Field field : header.fields()) {
                if (field.name().equals(lower)) {
                    String raw = new String(field.raw(), StandardCharsets.UTF_8);
                    values.add(raw.substring(raw.indexOf(':') + 1).replace("\r\n", "").trim());
                }
            }
            return values;
        }

        /** Whether the header section could be read (it was not beyond the bound). */
        public boolean readable() {
            return broken == null;
        }

        private void headerComplete() {
            int seen = 0;
            for (HeaderSection.Field field : header.fields()) {
                if (!field.name().equals("dkim-signature")) {
                    continue;
                }
                if (++seen > maxSignatures) {
                    break; // the first maxSignatures from the top; the rest are not looked at (bounded work)
                }
                pending.add(prepare(field.raw()));
            }
            readArcSets();
        }

        /** RFC 8617 §4.2: the ARC fields grouped by instance; a gap, a duplicate or too many sets is a failure. */
        private void readArcSets() {
            for (HeaderSection.Field field : header.fields()) {
                String name = field.name();
                if (!name.equals("arc-seal") && !name.equals("arc-message-signature")
                        && !name.equals("arc-authentication-results")) {
                    continue;
                }
                int instance = arcInstance(field.raw(), name.equals("arc-authentication-results"));
                if (instance < 1 || instance > MAX_ARC_SETS) {
                    arcProblem = instance < 1 ? "ARC field without a valid i=" : "more than " + MAX_ARC_SETS
                            + " ARC sets";
                    return;
                }
                while (arcSets.size() < instance) {
                    arcSets.add(new ArcSet());
                }
                ArcSet set = arcSets.get(instance - 1);
                boolean duplicate = switch (name) {
                    case "arc-seal" -> set.seal != null;
                    case "arc-message-signature" -> set.signature != null;
                    default -> set.results != null;
                };
                if (duplicate) {
                    arcProblem = "more than one " + name + " with i=" + instance;
                    return;
                }
                switch (name) {
                    case "arc-seal" -> set.seal = field.raw();
                    case "arc-message-signature" -> set.signature = field.raw();
                    default -> set.results = field.raw();
                }
            }
            for (int i = 0; i < arcSets.size(); i++) {
                ArcSet set = arcSets.get(i);
                if (set.seal == null || set.signature == null || set.results == null) {
                    arcProblem = "incomplete ARC set i=" + (i + 1);
                    return;
                }
            }
            if (!arcSets.isEmpty()) {
                arcSignature = prepare(arcSets.get(arcSets.size() - 1).signature, true);
            }
        }

        /**
         * The ARC chain's verdict (RFC 8617 §5.2), once the stream has ended and after {@link #finish()}: the
         * newest ARC-Message-Signature must verify, every ARC-Seal must verify over the sets up to its own, the
         * first seal must say cv=none and the others cv=pass.
         */
        public Mono<ArcVerdict> finishArc() {
            int count = arcSets.size();
            if (broken != null) {
                return Mono.just(new ArcVerdict(ArcVerdict.Result.FAIL, 0, broken));
            }
            if (arcProblem != null) {
                return Mono.just(new ArcVerdict(ArcVerdict.Result.FAIL, count, arcProblem));
            }
            if (count == 0 || arcSignature == null) {
                return Mono.just(new ArcVerdict(ArcVerdict.Result.NONE, 0, "no ARC sets"));
            }
            for (int i = 0; i < count; i++) {
                String cv;
                try {
                    cv = TagList.lower(String.valueOf(tagsOf(arcSets.get(i).seal).get("cv")));
                } catch (DkimException e) {
                    return Mono.just(new ArcVerdict(ArcVerdict.Result.FAIL, count, "ARC-Seal i=" + (i + 1) + ": "
                            + e.getMessage()));
                }
                if (cv.equals("fail")) {
                    return Mono.just(new ArcVerdict(ArcVerdict.Result.FAIL, count, "ARC-Seal i=" + (i + 1)
                            + " reports a failed chain"));
                }
                if (!cv.equals(i == 0 ? "none" : "pass")) {
                    return Mono.just(new ArcVerdict(ArcVerdict.Result.FAIL, count, "ARC-Seal i=" + (i + 1)
                            + " has cv=" + DkimFields.printable(cv)));
                }
            }
            return verify(arcSignature).flatMap(ams -> {
                if (ams.result() == DkimVerdict.Result.TEMPERROR) {
                    return Mono.just(new ArcVerdict(ArcVerdict.Result.TEMPERROR, count, ams.reason()));
                }
                if (ams.result() != DkimVerdict.Result.PASS) {
                    return Mono.just(new ArcVerdict(ArcVerdict.Result.FAIL, count, "ARC-Message-Signature i="
                            + count + ": " + ams.reason()));
                }
                return Flux.range(1, count).concatMap(this::verifySeal).collectList().map(seals -> {
                    for (int i = 0; i < seals.size(); i++) {
                        if (seals.get(i) == DkimVerdict.Result.TEMPERROR) {
                            return new ArcVerdict(ArcVerdict.Result.TEMPERROR, count, "key lookup of ARC-Seal i="
                                    + (i + 1) + " failed");
                        }
                        if (seals.get(i) != DkimVerdict.Result.PASS) {
                            return new ArcVerdict(ArcVerdict.Result.FAIL, count, "ARC-Seal i=" + (i + 1)
                                    + " did not verify");
                        }
                    }
                    return new ArcVerdict(ArcVerdict.Result.PASS, count, "chain of " + count + " verified");
                });
            });
        }

        /** RFC 8617 §5.1.1: the seal of instance {@code k} signs the sets 1..k, relaxed, its own b= empty. */
        private Mono<DkimVerdict.Result> verifySeal(int k) {
            Map<String, String> tags;
            try {
                tags = tagsOf(arcSets.get(k - 1).seal);
            } catch (DkimException e) {
                return Mono.just(DkimVerdict.Result.PERMERROR);
            }
            for (String required : List.of("i", "a", "b", "cv", "d", "s")) {
                if (!tags.containsKey(required)) {
                    return Mono.just(DkimVerdict.Result.PERMERROR);
                }
            }
            String algorithm = tags.get("a").toLowerCase(Locale.ROOT);
            if (tags.containsKey("h") || !DkimFields.validDomain(DkimFields.lowerOrNull(tags.get("d"))) || !DkimFields.validSelector(tags.get("s"))
                    || !(algorithm.equals("rsa-sha256") || algorithm.equals("ed25519-sha256"))) {
                return Mono.just(DkimVerdict.Result.PERMERROR);
            }
            ByteArrayOutputStream input = new ByteArrayOutputStream();
            for (int i = 1; i <= k; i++) {
                ArcSet set = arcSets.get(i - 1);
                input.writeBytes(RelaxedHeader.canonical(set.results, false));
                input.writeBytes(RelaxedHeader.canonical(set.signature, false));
                if (i < k) {
                    input.writeBytes(RelaxedHeader.canonical(set.seal, false));
                }
            }
            input.writeBytes(RelaxedHeader.canonical(DkimFields.withoutSignatureValue(arcSets.get(k - 1).seal), true));
            String keyName = tags.get("s") + "._domainkey." + DkimFields.lowerOrNull(tags.get("d"));
            return keys.txt(keyName)
                    .map(records -> sealResult(records, algorithm.startsWith("ed25519"), input.toByteArray(),
                            tags.get("b")))
                    .onErrorResume(error -> Mono.just(DkimVerdict.Result.TEMPERROR));
        }

        /** The verdicts of the signatures, once the stream has ended; empty when the message has none. */
        public Mono<List<DkimVerdict>> finish() {
            if (finished) {
                return Mono.error(new IllegalStateException("verification already finished"));
            }
            finished = true;
            if (broken != null) {
                return Mono.just(List.of(new DkimVerdict(DkimVerdict.Result.PERMERROR, null, null, null, null, null,
                        broken)));
            }
            if (!header.complete()) {
                header.finish();
                headerComplete();
            }
            return Flux.fromIterable(pending).concatMap(this::verify).collectList();
        }

        private Mono<DkimVerdict> verify(Pending signature) {
            if (signature.early() != null) {
                return Mono.just(signature.early());
            }
            DkimVerdict verdict = signature.verdict();
            Map<String, String> tags = signature.tags();
            BodyHasher body = signature.body();
            byte[] computed = body.finish();
            byte[] claimed;
            try {
                claimed = Base64.getDecoder().decode(TagList.compact(tags.get("bh")));
            } catch (IllegalArgumentException e) {
                return Mono.just(verdict.with(DkimVerdict.Result.PERMERROR, "bh= is not base64"));
            }
            if (!MessageDigest.isEqual(computed, claimed)) {
                return Mono.just(verdict.with(DkimVerdict.Result.FAIL, "body hash did not verify"));
            }
            String keyName = tags.get("s") + "._domainkey." + tags.get("d");
            return keys.txt(keyName)
                    .map(records -> checkSignature(verdict, tags, signature.field(), records, body))
                    .onErrorResume(error -> Mono.just(verdict.with(DkimVerdict.Result.TEMPERROR,
                            "key lookup of " + keyName + " failed")));
        }

        private DkimVerdict checkSignature(DkimVerdict verdict, Map<String, String> tags, byte[] field,
                                           List<String> records, BodyHasher body) {
            if (records.isEmpty()) {
                return verdict.with(DkimVerdict.Result.PERMERROR, "no key for signature");
            }
            KeyRecord key;
            try {
                key = KeyRecord.parse(records.get(0));
            } catch (DkimException e) {
                return verdict.with(DkimVerdict.Result.PERMERROR, "key record: " + e.getMessage());
            }
            String algorithm = verdict.algorithm();
            boolean ed25519 = "ed25519-sha256".equals(algorithm);
            if (!key.keyType().equals(ed25519 ? "ed25519" : "rsa")) {
                return verdict.with(DkimVerdict.Result.PERMERROR, "key type " + key.keyType() + " does not fit "
                        + algorithm);
            }
            if (key.revoked()) {
                return verdict.with(DkimVerdict.Result.PERMERROR, "key revoked");
            }
            if (!key.hashes().isEmpty() && !key.hashes().contains("sha256")) {
                return verdict.with(DkimVerdict.Result.PERMERROR, "key not for sha256");
            }
            if (!key.services().contains("*") && !key.services().contains("email")) {
                return verdict.with(DkimVerdict.Result.PERMERROR, "key not for email");
            }
            String domain = verdict.domain();
            String identity = verdict.identity();
            if (key.strict() && identity != null
                    && !identity.substring(identity.lastIndexOf('@') + 1).equalsIgnoreCase(domain)) {
                return verdict.with(DkimVerdict.Result.PERMERROR, "key flag t=s forbids a subdomain in i=");
            }
            PublicKey publicKey;
            try {
                publicKey = DkimFields.publicKey(key.publicKey(), ed25519);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                return verdict.with(DkimVerdict.Result.PERMERROR, "unusable public key");
            }
            if (publicKey instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
                return verdict.with(DkimVerdict.Result.PERMERROR, "RSA key shorter than " + MIN_RSA_BITS + " bits");
            }
            boolean relaxedHeader = !tags.getOrDefault("c", "simple").toLowerCase(Locale.ROOT).startsWith("simple");
            List<String> names = DkimFields.headerNames(tags.get("h"));
            byte[] input = headerHashInput(names, field, relaxedHeader);
            boolean valid;
            try {
                byte[] signatureBytes = Base64.getDecoder().decode(TagList.compact(tags.get("b")));
                Signature check = Signature.getInstance(ed25519 ? "Ed25519" : "SHA256withRSA", DkimAlgorithm.BC);
                check.initVerify(publicKey);
                check.update(ed25519 ? DkimAlgorithm.sha256(input) : input);
                valid = check.verify(signatureBytes);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                valid = false;
            }
            if (!valid) {
                return verdict.with(DkimVerdict.Result.FAIL, "signature did not verify");
            }
            if (key.testing()) {
                return verdict.with(DkimVerdict.Result.NEUTRAL, "key in test mode (t=y)");
            }
            Long signedLength = tags.containsKey("l") ? DkimFields.digits(tags.get("l"), 76) : null;
            if (signedLength != null && body.canonicalLength() > signedLength) {
                return verdict.with(DkimVerdict.Result.POLICY, "l= leaves part of the body unsigned");
            }
            return verdict.with(DkimVerdict.Result.PASS, "signature verified");
        }

        private byte[] headerHashInput(List<String> names, byte[] field, boolean relaxed) {
            ByteArrayOutputStream input = new ByteArrayOutputStream();
            for (HeaderSection.Field selected : header.select(names)) {
                input.writeBytes(relaxed ? RelaxedHeader.canonical(selected.raw(), false) : DkimFields.simple(selected.raw()));
            }
            byte[] unsigned = DkimFields.withoutSignatureValue(field);
            input.writeBytes(relaxed ? RelaxedHeader.canonical(unsigned, true) : unsigned);
            return input.toByteArray();
        }
    }

    private static Map<String, String> tagsOf(byte[] field) {
        String value = new String(field, StandardCharsets.ISO_8859_1);
        return TagList.parse(value.substring(value.indexOf(':') + 1));
    }

    /** The instance of an ARC field: i= of its tag list, or the leading "i=N;" of ARC-Authentication-Results. */
    private static int arcInstance(byte[] field, boolean results) {
        String value = new String(field, StandardCharsets.ISO_8859_1);
        value = value.substring(value.indexOf(':') + 1);
        String instance;
        if (results) {
            int semicolon = value.indexOf(';');
            String first = TagList.compact(semicolon < 0 ? value : value.substring(0, semicolon));
            instance = first.startsWith("i=") ? first.substring(2) : "";
        } else {
            try {
                instance = TagList.parse(value).getOrDefault("i", "");
            } catch (DkimException e) {
                return -1;
            }
        }
        Long number = DkimFields.digits(instance, 3);
        return number == null ? -1 : number.intValue();
    }

    /** Checks a seal's signature with the first key record found. */
    private static DkimVerdict.Result sealResult(List<String> records, boolean ed25519, byte[] input, String b) {
        if (records.isEmpty()) {
            return DkimVerdict.Result.PERMERROR;
        }
        try {
            KeyRecord key = KeyRecord.parse(records.get(0));
            if (key.revoked() || !key.keyType().equals(ed25519 ? "ed25519" : "rsa")) {
                return DkimVerdict.Result.PERMERROR;
            }
            PublicKey publicKey = DkimFields.publicKey(key.publicKey(), ed25519);
            if (publicKey instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
                return DkimVerdict.Result.PERMERROR;
            }
            Signature check = Signature.getInstance(ed25519 ? "Ed25519" : "SHA256withRSA", DkimAlgorithm.BC);
            check.initVerify(publicKey);
            check.update(ed25519 ? DkimAlgorithm.sha256(input) : input);
            return check.verify(Base64.getDecoder().decode(TagList.compact(b))) ? DkimVerdict.Result.PASS
                    : DkimVerdict.Result.FAIL;
        } catch (DkimException | GeneralSecurityException | IllegalArgumentException e) {
            return DkimVerdict.Result.PERMERROR;
        }
    }

    /** Reads and checks a signature's tags at the end of the header section, and starts its body hash. */
    private Pending prepare(byte[] field) {
        return prepare(field, false);
    }

    /** {@code arc}: an ARC-Message-Signature (RFC 8617 §4.1.2): i= is the instance, relaxed/relaxed by default. */
    Pending prepare(byte[] field, boolean arc) {
        DkimVerdict blank = new DkimVerdict(DkimVerdict.Result.PERMERROR, null, null, null, null, null, "");
        Map<String, String> tags;
        String value = new String(field, StandardCharsets.ISO_8859_1);
        try {
            tags = TagList.parse(value.substring(value.indexOf(':') + 1));
        } catch (DkimException e) {
            return new Pending(blank, Map.of(), field, null, blank.with(DkimVerdict.Result.PERMERROR,
                    "signature: " + e.getMessage()));
        }
        String domain = DkimFields.lowerOrNull(tags.get("d"));
        String b = tags.get("b") == null ? null : TagList.compact(tags.get("b"));
        DkimVerdict verdict = new DkimVerdict(DkimVerdict.Result.PERMERROR, domain, tags.get("s"),
                arc ? null : tags.get("i"),
                DkimFields.lowerOrNull(tags.get("a")), b == null ? null : b.substring(0, Math.min(8, b.length())), "");
        String problem = problem(tags, domain, arc);
        if (problem != null) {
            return new Pending(verdict, tags, field, null, verdict.with(DkimVerdict.Result.PERMERROR, problem));
        }
        Long length = tags.containsKey("l") ? DkimFields.digits(tags.get("l"), 76) : null;
        long limit = length == null ? Long.MAX_VALUE : length;
        String body = tags.getOrDefault("c", arc ? "relaxed/relaxed" : "simple/simple").toLowerCase(Locale.ROOT);
        body = body.contains("/") ? body.substring(body.indexOf('/') + 1) : "simple";
        BodyHasher hasher = body.equals("relaxed") ? new RelaxedBodyHash(limit) : new SimpleBodyHash(limit);
        return new Pending(verdict, tags, field, hasher, null);
    }

    /** What makes the signature unusable (RFC 6376 §6.1.1), or null. */
    private @Nullable String problem(Map<String, String> tags, @Nullable String domain, boolean arc) {
        for (String required : arc ? List.of("i", "a", "b", "bh", "d", "h", "s")
                : List.of("v", "a", "b", "bh", "d", "h", "s")) {
            if (!tags.containsKey(required) || (tags.get(required).isEmpty() && !required.equals("b"))) {
                return "missing " + required + "=";
            }
        }
        if (!arc && !tags.get("v").equals("1")) {
            return "unknown version v=" + DkimFields.printable(tags.get("v"));
        }
        String algorithm = tags.get("a").toLowerCase(Locale.ROOT);
        if (algorithm.equals("rsa-sha1")) {
            return "rsa-sha1 is not accepted (RFC 8301)";
        }
        if (!algorithm.equals("rsa-sha256") && !algorithm.equals("ed25519-sha256")) {
            return "unknown algorithm a=" + DkimFields.printable(algorithm);
        }
        String canonicalization = tags.getOrDefault("c", "simple/simple").toLowerCase(Locale.ROOT);
        if (!List.of("simple", "relaxed", "simple/simple", "simple/relaxed", "relaxed/simple", "relaxed/relaxed")
                .contains(canonicalization)) {
            return "unknown canonicalization c=" + DkimFields.printable(canonicalization);
        }
        if (tags.containsKey("q") && !tags.get("q").toLowerCase(Locale.ROOT).contains("dns/txt")) {
            return "unknown query method q=";
        }
        if (!DkimFields.validDomain(domain) || !DkimFields.validSelector(tags.get("s"))) {
            return "invalid d= or s=";
        }
        if (arc) {
            if (DkimFields.headerNames(tags.get("h")).contains("arc-seal")) {
                return "an ARC-Message-Signature must not sign ARC-Seal";
            }
        } else if (DkimFields.headerNames(tags.get("h")).stream().noneMatch(name -> name.equals("from"))) {
            return "From is not signed";
        }
        String identity = arc ? null : tags.get("i");
        if (identity != null) {
            int at = identity.lastIndexOf('@');
            String identityDomain = identity.substring(at + 1).toLowerCase(Locale.ROOT);
            if (at < 0 || !(identityDomain.equals(domain) || identityDomain.endsWith("." + domain))) {
                return "i= is not within d=";
            }
        }
        if (tags.containsKey("l") && DkimFields.digits(tags.get("l"), 76) == null) {
            return "invalid l=";
        }
        Long signed = tags.containsKey("t") ? DkimFields.digits(tags.get("t"), 12) : null;
        Long expires = tags.containsKey("x") ? DkimFields.digits(tags.get("x"), 12) : null;
        if ((tags.containsKey("t") && signed == null) || (tags.containsKey("x") && expires == null)) {
            return "invalid t= or x=";
        }
        long now = clock.instant().getEpochSecond();
        if (signed != null && expires != null && expires < signed) {
            return "x= before t=";
        }
        if (expires != null && expires < now) {
            return "signature expired";
        }
        if (signed != null && signed > now + CLOCK_SKEW.toSeconds()) {
            return "signature time in the future";
        }
        return null;
    }
}
