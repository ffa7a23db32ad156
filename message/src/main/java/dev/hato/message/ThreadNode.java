package dev.hato.message;

import java.util.List;

/**
 * One node of an RFC 5256 thread tree: a message with its replies, or, when {@link #isDummy()}, a placeholder for a
 * message that was referenced but is not among the searched ones (REFERENCES keeps such a node at the top of a thread
 * when it holds several children).
 *
 * @param sequenceNumber the message's sequence number, 0 for a dummy
 * @param uid the message's UID, 0 for a dummy
 */
public record ThreadNode(long sequenceNumber, long uid, List<ThreadNode> children) {
    public ThreadNode {
        children = List.copyOf(children);
    }

    public boolean isDummy() {
        return uid == 0;
    }

    /** UID for a UID command, sequence number otherwise. */
    public long number(boolean byUid) {
        return byUid ? uid : sequenceNumber;
    }
}
