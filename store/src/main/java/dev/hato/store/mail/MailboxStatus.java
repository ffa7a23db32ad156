package dev.hato.store.mail;

/** RFC 3501 §6.3.10 STATUS items plus RFC 8438 SIZE and RFC 7162 HIGHESTMODSEQ, read in one consistent snapshot. */
public record MailboxStatus(long messages, long recent, long unseen, long uidNext, long uidValidity,
                            long highestModseq, long size, long deleted) { }
