package dev.hato.inbound.transport;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.hato.inbound.AuthDns;
import dev.hato.inbound.DnsAnswer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The lookups of inbound authentication with Netty's asynchronous {@link DnsNameResolver} (as outbound delivery's
 * {@code DnsMxResolver}) on one event loop of its own, each bounded by {@code timeout}, answers cached for their TTL
 * within [{@code minTtl}, {@code maxTtl}] (NXDOMAIN and empty answers too, RFC 2308; temperror never).
 */
public final class NettyAuthDns implements AuthDns, AutoCloseable {

    private record Key(String name, Type type) { }

    private record Cached(DnsAnswer answer, long ttlSeconds) { }

    private static final int MAX_CACHED = 50_000;

    private final EventLoopGroup loop;
    private final DnsNameResolver resolver;
    private final Duration timeout;
    private final AsyncCache<Key, Cached> cache;

    public NettyAuthDns(List<InetSocketAddress> servers, Duration timeout, Duration minTtl, Duration maxTtl) {
        this.timeout = timeout;
        this.loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.resolver = new DnsNameResolverBuilder(loop.next())
                .datagramChannelType(NioDatagramChannel.class)
                // A truncated UDP answer (a long SPF record, an RSA-4096 key without EDNS0) is asked again over TCP.
                .socketChannelType(NioSocketChannel.class)
                .nameServerProvider(servers.isEmpty() ? DnsServerAddressStreamProviders.platformDefault()
                        : new SequentialDnsServerAddressStreamProvider(servers))
                .queryTimeoutMillis(Math.max(1, timeout.toMillis()))
                .maxQueriesPerResolve(4)
                .recursionDesired(true)
                .build();
        long min = minTtl.toSeconds();
        long max = Math.max(min, maxTtl.toSeconds());
        this.cache = Caffeine.newBuilder().maximumSize(MAX_CACHED)
                .expireAfter(new Expiry<Key, Cached>() {
                    @Override
                    public long expireAfterCreate(Key key, Cached value, long now) {
                        long seconds = value.answer().temporary() ? 0 : Math.min(max, Math.max(min, value.ttlSeconds()));
                        return TimeUnit.SECONDS.toNanos(seconds);
                    }

                    @Override
                    public long expireAfterUpdate(Key key, Cached value, long now, long current) {
                        return expireAfterCreate(key, value, now);
                    }

                    @Override
                    public long expireAfterRead(Key key, Cached value, long now, long current) {
                        return current;
                    }
                })
                .buildAsync();
    }

    @Override
    public Mono<DnsAnswer> lookup(String name, Type type) {
        String normalized = name.toLowerCase(Locale.ROOT);
        if (normalized.endsWith(".")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        if (!plausible(normalized)) {
            return Mono.just(DnsAnswer.nxdomain());
        }
        Key key = new Key(normalized, type);
        return Mono.fromFuture(cache.get(key, (k, executor) -> query(k).toFuture()), true)
                .map(Cached::answer)
                // The answer completes on the resolver's loop; whoever waits continues elsewhere.
                .publishOn(Schedulers.parallel());
    }

    /** RFC 1035 §2.3.4: at most 253 octets, labels of 1 to 63. Anything else is not asked for. */
    private static boolean plausible(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        int label = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (label == 0) {
                    return false;
                }
                label = 0;
            } else if (c <= ' ' || c > '~' || ++label > 63) {
                return false;
            }
        }
        return label > 0;
    }

    private Mono<Cached> query(Key key) {
        DnsRecordType type = switch (key.type()) {
            case TXT -> DnsRecordType.TXT;
            case A -> DnsRecordType.A;
            case AAAA -> DnsRecordType.AAAA;
            case MX -> DnsRecordType.MX;
            case PTR -> DnsRecordType.PTR;
        };
        return Mono.<AddressedEnvelope<DnsResponse, InetSocketAddress>>create(sink -> {
                    var future = resolver.query(new DefaultDnsQuestion(key.name(), type));
                    future.addListener(done -> {
                        if (done.isSuccess()) {
                            sink.success(future.getNow());
                        } else {
                            sink.error(done.cause());
                        }
                    });
                })
                .map(envelope -> {
                    try {
                        return read(envelope.content(), type);
                    } finally {
                        envelope.release();
                    }
                })
                .timeout(timeout.plusMillis(500))
                .onErrorReturn(new Cached(DnsAnswer.temperror(), 0));
    }

    private static Cached read(DnsResponse response, DnsRecordType type) {
        if (response.code() == DnsResponseCode.NXDOMAIN) {
            return new Cached(DnsAnswer.nxdomain(), ttlOfAuthority(response));
        }
        if (response.code() != DnsResponseCode.NOERROR) {
            return new Cached(DnsAnswer.temperror(), 0);
        }
        List<String> records = new ArrayList<>();
        List<int[]> preferences = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
            DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
            if (record.type() != type || !(record instanceof DnsRawRecord raw)) {
                continue; // CNAMEs are followed by the resolver; their own records are not what was asked
            }
            ttl = Math.min(ttl, record.timeToLive());
            ByteBuf data = raw.content().duplicate();
            try {
                if (type == DnsRecordType.TXT) {
                    records.add(txt(data));
                } else if (type == DnsRecordType.A || type == DnsRecordType.AAAA) {
                    byte[] address = new byte[data.readableBytes()];
                    data.readBytes(address);
                    records.add(InetAddress.getByAddress(address).getHostAddress());
                } else if (type == DnsRecordType.MX) {
                    int preference = data.readUnsignedShort();
                    preferences.add(new int[] {preference, records.size()});
                    records.add(stripDot(DefaultDnsRecordDecoder.decodeName(data)));
                } else {
                    records.add(stripDot(DefaultDnsRecordDecoder.decodeName(data)));
                }
            } catch (UnknownHostException | RuntimeException e) {
                return new Cached(DnsAnswer.temperror(), 0); // a malformed answer is no answer
            }
        }
        if (type == DnsRecordType.MX) {
            List<String> byPreference = new ArrayList<>();
            preferences.stream().sorted(Comparator.comparingInt(p -> p[0]))
                    .forEach(p -> byPreference.add(records.get(p[1])));
            return new Cached(DnsAnswer.found(byPreference), ttl == Long.MAX_VALUE ? 0 : ttl);
        }
        return new Cached(DnsAnswer.found(records), records.isEmpty() ? ttlOfAuthority(response) : ttl);
    }

    /** RFC 2308: a negative answer lives as long as the SOA's TTL in the authority section says (else not cached). */
    private static long ttlOfAuthority(DnsResponse response) {
        long ttl = 0;
        for (int i = 0; i < response.count(DnsSection.AUTHORITY); i++) {
            ttl = Math.max(ttl, response.recordAt(DnsSection.AUTHORITY, i).timeToLive());
        }
        return ttl;
    }

    /** RFC 1035 §3.3.14: one or more character-strings, joined without separator (RFC 7208 §3.3, RFC 6376 §3.6.2.2). */
    private static String txt(ByteBuf data) {
        StringBuilder text = new StringBuilder();
        while (data.isReadable()) {
            int length = data.readUnsignedByte();
            text.append(data.readCharSequence(Math.min(length, data.readableBytes()), StandardCharsets.ISO_8859_1));
        }
        return text.toString();
    }

    private static String stripDot(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    @Override
    public void close() {
        resolver.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
