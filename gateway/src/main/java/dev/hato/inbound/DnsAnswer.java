package dev.hato.inbound;

import java.util.List;

/**
 * One DNS answer as the authentication checks need it: the records (TXT strings joined per record, addresses in
 * text form, host names without the final dot), or that the name does not exist, or that no answer could be had.
 * A missing answer is never a negative one: {@link Status#TEMPERROR} makes SPF, DKIM and DMARC say temperror.
 */
public record DnsAnswer(Status status, List<String> records) {

    public enum Status { FOUND, NXDOMAIN, TEMPERROR }

    public DnsAnswer {
        records = List.copyOf(records);
    }

    public static DnsAnswer found(List<String> records) {
        return new DnsAnswer(Status.FOUND, records);
    }

    public static DnsAnswer nxdomain() {
        return new DnsAnswer(Status.NXDOMAIN, List.of());
    }

    public static DnsAnswer temperror() {
        return new DnsAnswer(Status.TEMPERROR, List.of());
    }

    /** No record: NXDOMAIN or an empty answer (RFC 7208 §4.6.4 calls both a "void lookup"). */
    public boolean empty() {
        return status != Status.TEMPERROR && records.isEmpty();
    }

    public boolean temporary() {
        return status == Status.TEMPERROR;
    }
}
