package dev.hato.outbound.transport;

import dev.hato.outbound.MxRecord;
import dev.hato.outbound.MxResolver;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * MX and address lookups with Netty's asynchronous {@link DnsNameResolver} on one event loop of its own, against
 * the configured name servers (or the system's).
 */
public final class DnsMxResolver implements MxResolver, AutoCloseable {

    private final EventLoopGroup loop;
    private final DnsNameResolver resolver;

    public DnsMxResolver(List<InetSocketAddress> servers, Duration timeout) {
        this.loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.resolver = new DnsNameResolverBuilder(loop.next())
                .datagramChannelType(NioDatagramChannel.class)
                .nameServerProvider(servers.isEmpty() ? DnsServerAddressStreamProviders.platformDefault()
                        : new SequentialDnsServerAddressStreamProvider(servers))
                .queryTimeoutMillis(timeout.toMillis())
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .build();
    }

    @Override
    public Mono<List<MxRecord>> mx(String domain) {
        return answers(domain, DnsRecordType.MX, data -> {
            // RFC 1035 §3.3.9: PREFERENCE (16 bits), then EXCHANGE (decompressed by Netty).
            int preference = data.readUnsignedShort();
            return new MxRecord(preference, stripDot(DefaultDnsRecordDecoder.decodeName(data)));
        }).onErrorMap(NoSuchName.class, error -> new UnknownDomainException(domain));
    }

    @Override
    public Mono<List<String>> txt(String name) {
        return answers(name, DnsRecordType.TXT, DnsMxResolver::text)
                .onErrorResume(NoSuchName.class, error -> Mono.just(List.of()));
    }

    /** The records of {@code type} in the answer section, each read by {@code reader}. */
    private <T> Mono<List<T>> answers(String name, DnsRecordType type, Function<ByteBuf, T> reader) {
        return Mono.<AddressedEnvelope<DnsResponse, InetSocketAddress>>create(sink -> complete(
                        resolver.query(new DefaultDnsQuestion(name, type)), sink))
                .map(envelope -> {
                    try {
                        DnsResponse response = envelope.content();
                        if (response.code() == DnsResponseCode.NXDOMAIN) {
                            throw new NoSuchName();
                        }
                        if (response.code() != DnsResponseCode.NOERROR) {
                            throw new IllegalStateException("DNS lookup of the " + type.name() + " records of "
                                    + name + " failed: " + response.code());
                        }
                        List<T> records = new ArrayList<>();
                        for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
                            DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
                            if (record.type() == type && record instanceof DnsRawRecord raw) {
                                records.add(reader.apply(raw.content().duplicate()));
                            }
                        }
                        return records;
                    } finally {
                        envelope.release();
                    }
                });
    }

    /** RFC 1035 §3.3.14: one or more character-strings, each a length octet and that many octets. */
    private static String text(ByteBuf data) {
        StringBuilder text = new StringBuilder();
        while (data.isReadable()) {
            int length = data.readUnsignedByte();
            text.append(data.readCharSequence(Math.min(length, data.readableBytes()), StandardCharsets.ISO_8859_1));
        }
        return text.toString();
    }

    /** NXDOMAIN, before it is turned into what the lookup means by it. */
    private static final class NoSuchName extends RuntimeException {
        NoSuchName() {
            super("NXDOMAIN", null, false, false);
        }
    }

    @Override
    public Mono<List<InetAddress>> addresses(String host) {
        return Mono.create(sink -> complete(resolver.resolveAll(host), sink));
    }

    private static <T> void complete(Future<T> future, reactor.core.publisher.MonoSink<T> sink) {
        future.addListener(done -> {
            if (done.isSuccess()) {
                sink.success(future.getNow());
            } else {
                sink.error(done.cause());
            }
        });
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    @Override
    public void close() {
        resolver.close();
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
}
