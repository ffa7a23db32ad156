package dev.hato.dkim;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The TXT records of a key's name ({@code selector._domainkey.domain}) for verification. An empty list means there
 * is no such record (NXDOMAIN or no TXT: permerror, RFC 6376 §6.1.2); an error means no answer could be had
 * (temperror). Never blocks.
 */
@FunctionalInterface
public interface DkimKeyLookup {
    Mono<List<String>> txt(String name);
}
