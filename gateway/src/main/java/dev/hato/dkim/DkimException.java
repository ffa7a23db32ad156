package dev.hato.dkim;

/**
 * A message the signer refuses to sign: it has no From field (RFC 6376 §5.4 requires From to be signed), or its
 * header section is larger than the signer's bound. Permanent: the same message fails the same way on every
 * attempt, so the outbound side should return it to its sender rather than retry. (A key that cannot be read or a
 * store that cannot be reached fails with other, transient errors.)
 */
public final class DkimException extends RuntimeException {

    public DkimException(String message) {
        super(message);
    }
}
