package dev.hato.store.mail;

import java.time.Duration;

/**
 * One delivery batch as the group commit wrote it, for metrics: how many messages it carried, how long writing it
 * took (the transaction with its commit), and whether it committed ({@code false}: rolled back, every message in it
 * failed).
 */
public record BatchStats(int messages, Duration took, boolean committed) { }
