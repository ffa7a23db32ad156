package dev.hato.app;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import dev.hato.outbound.MxRecord;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An authoritative DNS server for tests on 127.0.0.1 (UDP, port 0), with netty-codec-dns: MX, A, AAAA and TXT
 * records from maps, NXDOMAIN for names it does not know, SERVFAIL for names marked broken, silence for names marked
 * silent. Every question is recorded.
 */
final class TestDnsServer implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final Map<String, List<MxRecord>> mx = new ConcurrentHashMap<>();
    private final Map<String, String> a = new ConcurrentHashMap<>();
    private final Set<String> broken = ConcurrentHashMap.newKeySet();
    private final Map<String, List<String>> txt = new ConcurrentHashMap<>();
    private final Map<String, String> aaaa = new ConcurrentHashMap<>();
    private final Set<String> silent = ConcurrentHashMap.newKeySet();
    private final List<String> questions = new CopyOnWriteArrayList<>();

    TestDnsServer() throws InterruptedException {
        this.channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                new Answerer());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    /** host:port of this server, as hato.outbound.dns-servers takes it. */
    String address() {
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        return "127.0.0.1:" + local.getPort();
    }

    TestDnsServer mx(String domain, MxRecord... records) {
        mx.put(domain, List.of(records));
        return this;
    }

    /** Forgets every record of {@code name}: it does not exist any more. */
    TestDnsServer remove(String name) {
        mx.remove(name);
        a.remove(name);
        txt.remove(name);
        aaaa.remove(name);
        return this;
    }

    TestDnsServer a(String host, String address) {
        a.put(host, address);
        return this;
    }

    /** TXT records of {@code name}, one per string (split into character-strings of at most 255 octets). */
    TestDnsServer txt(String name, String... records) {
        txt.put(name, List.of(records));
        return this;
    }

    TestDnsServer aaaa(String host, String address) {
        aaaa.put(host, address);
        return this;
    }

    /** Questions about {@code name} get no answer at all (the client times out). */
    TestDnsServer silent(String name) {
        silent.add(name);
        return this;
    }

    TestDnsServer servfail(String name) {
        broken.add(name);
        return this;
    }

    List<String> questions() {
        return List.copyOf(questions);
    }

    private final class Answerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) throws UnknownHostException {
            DnsQuestion question = query.recordAt(DnsSection.QUESTION);
            String name = question.name().toLowerCase(Locale.ROOT);
            name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
            questions.add(question.type().name() + " " + name);
            if (silent.contains(name)) {
                return;
            }
            DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
            response.setAuthoritativeAnswer(true).setRecursionAvailable(true);
            response.addRecord(DnsSection.QUESTION, question);
            if (broken.contains(name)) {
                response.setCode(DnsResponseCode.SERVFAIL);
            } else if (!mx.containsKey(name) && !a.containsKey(name) && !txt.containsKey(name)
                    && !aaaa.containsKey(name)) {
                response.setCode(DnsResponseCode.NXDOMAIN);
            } else if (question.type() == DnsRecordType.MX && mx.containsKey(name)) {
                for (MxRecord record : mx.get(name)) {
                    ByteBuf data = Unpooled.buffer();
                    data.writeShort(record.preference());
                    encodeName(record.exchange(), data);
                    response.addRecord(DnsSection.ANSWER,
                            new DefaultDnsRawRecord(question.name(), DnsRecordType.MX, 60, data));
                }
            } else if (question.type() == DnsRecordType.TXT && txt.containsKey(name)) {
                for (String record : txt.get(name)) {
                    ByteBuf data = Unpooled.buffer();
                    byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
                    for (int at = 0; at < bytes.length || at == 0; at += 255) {
                        int length = Math.min(255, bytes.length - at);
                        data.writeByte(length);
                        data.writeBytes(bytes, at, length);
                        if (bytes.length == 0) {
                            break;
                        }
                    }
                    response.addRecord(DnsSection.ANSWER,
                            new DefaultDnsRawRecord(question.name(), DnsRecordType.TXT, 60, data));
                }
            } else if (question.type() == DnsRecordType.AAAA && aaaa.containsKey(name)) {
                byte[] address = InetAddress.getByName(aaaa.get(name)).getAddress();
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.AAAA,
                        60, Unpooled.wrappedBuffer(address)));
            } else if (question.type() == DnsRecordType.A && a.containsKey(name)) {
                byte[] address = InetAddress.getByName(a.get(name)).getAddress();
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A, 60,
                        Unpooled.wrappedBuffer(address)));
            }
            ctx.writeAndFlush(response);
        }
    }

    /** RFC 1035 §3.1 labels, uncompressed; "" is the root (the null MX of RFC 7505). */
    private static void encodeName(String name, ByteBuf out) {
        if (!name.isEmpty()) {
            for (String label : name.split("\\.")) {
                byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
                out.writeByte(bytes.length);
                out.writeBytes(bytes);
            }
        }
        out.writeByte(0);
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
}
