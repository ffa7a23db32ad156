package dev.hato.store;

import java.util.List;

/** Proof that a delivery is committed: one stored message per recipient account. */
public record DeliveryReceipt(long blobId, List<MessageMeta> messages) { }
