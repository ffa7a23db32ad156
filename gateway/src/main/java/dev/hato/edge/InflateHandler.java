package dev.hato.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.compression.DecompressionException;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Raw DEFLATE input (RFC 1951, no zlib header; IMAP COMPRESS=DEFLATE, RFC 4978) inflated one bounded piece per read
 * the session asks for: the session reads with auto-read off and asks for more only when it has used what it got,
 * so a connection holds at most one piece of inflated input and the compressed octets not yet inflated, however much
 * they inflate to (a small "bomb" that inflates to gigabytes costs the server a piece at a time, like plain input
 * would, between the other connections' work on the event loop).
 *
 * <p>Netty's {@code JdkZlibDecoder} with a maximum allocation, used before, closed the connection whenever one read's
 * input inflated to more than that maximum (64 KB), which an ordinary compressed APPEND of a few hundred kilobytes of
 * text does.
 */
final class InflateHandler extends ChannelDuplexHandler {

    static final int PIECE = 64 * 1024;

    private final Inflater inflater = new Inflater(true);
    /** Compressed octets not yet given to the inflater, or given and not yet consumed (its input). */
    private byte[] input = new byte[0];
    /** The session asked for input that has not been handed to it yet. */
    private boolean wanted;
    private boolean ended;

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            context.fireChannelRead(msg);
            return;
        }
        try {
            if (ended) {
                return;
            }
            int remaining = inflater.getRemaining();
            byte[] joined = new byte[remaining + buf.readableBytes()];
            System.arraycopy(input, input.length - remaining, joined, 0, remaining);
            buf.readBytes(joined, remaining, buf.readableBytes());
            input = joined;
            inflater.setInput(input);
        } finally {
            buf.release();
        }
        if (wanted) {
            deliver(context);
        }
    }

    @Override
    public void read(ChannelHandlerContext context) {
        if (ended) {
            return;
        }
        wanted = true;
        deliver(context);
    }

    /** Hands the session one piece, or asks for more compressed input when what is there inflates to nothing. */
    private void deliver(ChannelHandlerContext context) {
        ByteBuf piece = context.alloc().heapBuffer(PIECE, PIECE);
        int produced;
        try {
            produced = inflater.inflate(piece.array(), piece.arrayOffset(), PIECE);
        } catch (DataFormatException e) {
            piece.release();
            fail(context, "invalid DEFLATE data: " + e.getMessage());
            return;
        }
        if (produced > 0) {
            piece.writerIndex(produced);
            wanted = false;
            context.fireChannelRead(piece);
            context.fireChannelReadComplete();
            return;
        }
        piece.release();
        if (inflater.finished() || inflater.needsDictionary()) {
            // RFC 4978 §4: the stream never ends while the connection lasts; a final block or a preset dictionary
            // is not a client of this protocol.
            fail(context, "the DEFLATE stream ended or asked for a dictionary");
            return;
        }
        context.read(); // needs input: the read the session asked for goes on to the socket
    }

    private void fail(ChannelHandlerContext context, String why) {
        ended = true;
        wanted = false;
        context.fireExceptionCaught(new DecompressionException(why));
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        ended = true;
        inflater.end();
    }
}
