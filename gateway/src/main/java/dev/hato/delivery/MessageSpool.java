package dev.hato.delivery;

import dev.hato.message.LimitBreach;
import dev.hato.store.mail.FactsReader;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Collects one message's bytes while it is received. Up to {@code memoryLimit} bytes stay in memory (most mail is
 * small); beyond that everything goes to a temporary file in the spool directory, written on {@code io} so no event
 * loop ever waits for a disk. The SHA-256 and size are computed on the way, so the store can address the blob
 * without reading it again, and so are the message's {@link MessageFacts} when the spool is given a {@link
 * FactsReader}: the parse of issue 12's "parse once" happens here, in the pass that receives the octets, never in a
 * second read of the spool. {@link #discard()} must be called when the message is stored or abandoned.
 */
public final class MessageSpool implements MessageContent {

    static final int CHUNK = 256 * 1024;

    private final Path directory;
    private final int memoryLimit;
    private final Scheduler io;
    private final MessageDigest digest;
    private final List<ByteBuffer> memory = new ArrayList<>();
    private long size;
    private @Nullable Path file;
    private @Nullable FileChannel channel;
    private byte @Nullable [] sha256;
    private final @Nullable FactsReader reader;
    /** Written once by {@link #finish()}'s flow, possibly on {@code io}, read by whoever stores the message. */
    private volatile @Nullable MessageFacts facts;
    /**
     * Octets put in front of the content once it is complete ({@link #prepend}); null when none. Only a spool made
     * {@link #withHead() for a head} may get one: its SHA-256 is computed at {@link #finish()}, not as it streams.
     */
    private byte @Nullable [] head;
    private boolean headFollows;
    /** Set once by {@link #discard()}; a spill still running afterwards must not create or keep a file. */
    private volatile boolean discarded;

    /** A spool that only keeps the octets: for content nobody reads through IMAP (a message only sent on). */
    public MessageSpool(Path directory, int memoryLimit, Scheduler io) {
        this(directory, memoryLimit, io, null);
    }

    /** A spool whose octets also feed {@code reader} as they are appended; {@link #facts()} is its result. */
    public MessageSpool(Path directory, int memoryLimit, Scheduler io, @Nullable FactsReader reader) {
        this.directory = directory;
        this.reader = reader;
        this.memoryLimit = memoryLimit;
        this.io = io;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /**
     * Makes this spool one that may get a {@link #prepend head} when its content is complete (inbound authentication's
     * Authentication-Results). Its SHA-256 is then computed at {@link #finish()}: over the memory (at most the memory
     * limit, as the streamed hash would have cost), or by reading the spool file once on {@code io}. Call before the
     * first append.
     */
    public MessageSpool withHead() {
        if (size > 0) {
            throw new IllegalStateException("withHead() must come before the first append");
        }
        headFollows = true;
        return this;
    }

    /**
     * Puts {@code fields} (complete header fields, each ending in CRLF) in front of the content, once all of it is
     * appended and before {@link #finish()}. The facts read as the content streamed are moved accordingly.
     */
    public void prepend(byte[] fields) {
        if (!headFollows || sha256 != null || head != null) {
            throw new IllegalStateException("prepend needs a spool withHead(), once, before finish()");
        }
        head = fields.clone();
    }

    /** Appends {@code bytes} (which the spool may keep; the caller must not reuse them). */
    public Mono<Void> append(ByteBuffer bytes) {
        if (sha256 != null) {
            return Mono.error(new IllegalStateException("spool already finished"));
        }
        int length = bytes.remaining();
        if (!headFollows) {
            digest.update(bytes.duplicate());
        }
        if (reader != null) {
            reader.feed(bytes);
        }
        size += length;
        synchronized (this) {
            if (discarded) {
                return Mono.error(new IllegalStateException("spool discarded"));
            }
            if (channel == null && size <= memoryLimit) {
                memory.add(bytes);
                return Mono.empty();
            }
        }
        return Mono.fromRunnable(() -> spill(bytes)).subscribeOn(io).then();
    }

    /**
     * Ends the message; once the result is emitted, {@link #chunks()} may be read any number of times and {@link
     * #facts()} is known. The facts are finished where the content is: a message still in memory is small and so is
     * its text, finished on the caller's thread; a spilled one, whose text to normalise for SEARCH may be a mebibyte,
     * on {@code io}, with the file's force to disk.
     */
    public Mono<MessageContent> finish() {
        if (channel == null) {
            if (sha256 == null) {
                if (headFollows) {
                    hashHead();
                    memory.forEach(chunk -> digest.update(chunk.duplicate()));
                }
                sha256 = digest.digest();
            }
            finishFacts();
            return Mono.just(this);
        }
        return Mono.fromCallable(() -> {
            finishFacts();
            channel.force(false);
            if (sha256 == null) {
                if (headFollows) {
                    hashHead();
                    hashFile();
                }
                sha256 = digest.digest();
            }
            return (MessageContent) this;
        }).subscribeOn(io);
    }

    private void hashHead() {
        if (head != null) {
            digest.update(head);
        }
    }

    /** The one second read of a spooled message with a head: its SHA-256, on {@code io}. */
    private void hashFile() throws IOException {
        Path path = file;
        if (path == null) {
            throw new IOException("spool file gone");
        }
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            while (in.read(buffer) >= 0) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
        }
    }

    private void finishFacts() {
        if (reader != null && facts == null) {
            facts = head != null && reader instanceof CheckedFactsReader checked ? checked.finish(head)
                    : reader.finish();
        }
    }

    @Override
    public byte[] sha256() {
        if (sha256 == null) {
            throw new IllegalStateException("spool not finished");
        }
        return sha256.clone();
    }

    /** What the spool's {@link FactsReader} learnt, once {@link #finish()} has emitted; null without a reader. */
    public @Nullable MessageFacts facts() {
        if (reader != null && facts == null) {
            throw new IllegalStateException("spool not finished");
        }
        return facts;
    }

    /**
     * Once every octet is appended, the first of the door's limits the message broke, as its reader found it
     * ({@link CheckedFactsReader#breach()}); null when none was, or when the reader checks no limits. Nothing may be
     * appended afterwards.
     */
    public @Nullable LimitBreach breach() {
        return reader instanceof CheckedFactsReader checked ? checked.breach() : null;
    }

    /** Whether the message's own header section held an octet above 0x7F; false when the reader checks nothing. */
    public boolean eightBitHeader() {
        return reader instanceof CheckedFactsReader checked && checked.eightBitHeader();
    }

    @Override
    public long size() {
        return size + (head == null ? 0 : head.length);
    }

    @Override
    public Flux<ByteBuffer> chunks() {
        byte[] prefix = head;
        Flux<ByteBuffer> content = content();
        return prefix == null ? content
                : Flux.concat(Mono.fromSupplier(() -> ByteBuffer.wrap(prefix).asReadOnlyBuffer()), content);
    }

    private Flux<ByteBuffer> content() {
        if (file == null) {
            return Flux.fromIterable(memory).map(ByteBuffer::asReadOnlyBuffer);
        }
        Path path = file;
        return Flux.using(() -> FileChannel.open(path, StandardOpenOption.READ),
                        reader -> Flux.<ByteBuffer>generate(sink -> {
                            try {
                                ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
                                while (chunk.hasRemaining() && reader.read(chunk) >= 0) {
                                    // fill the chunk unless at end of file
                                }
                                chunk.flip();
                                if (chunk.hasRemaining()) {
                                    sink.next(chunk);
                                } else {
                                    sink.complete();
                                }
                            } catch (IOException e) {
                                sink.error(e);
                            }
                        }),
                        reader -> {
                            try {
                                reader.close();
                            } catch (IOException ignored) {
                                // read-only; nothing to lose
                            }
                        })
                .subscribeOn(io);
    }

    /**
     * Frees memory and deletes the temporary file, if any. Safe to call more than once and from any thread: the
     * connection may close (event loop) while a spill is being written ({@code io}), so both hold the monitor.
     */
    public void discard() {
        discarded = true;
        // The monitor may be held by a spill writing to disk: never wait for it on the caller's (event loop) thread.
        io.schedule(this::release);
    }

    private void release() {
        FileChannel open;
        Path path;
        synchronized (this) {
            memory.clear();
            open = channel;
            path = file;
            channel = null;
            file = null;
        }
        try {
            if (open != null) {
                open.close();
            }
            if (path != null) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // a leftover spool file is removed at the next start
        }
    }

    private synchronized void spill(ByteBuffer bytes) {
        if (discarded) {
            return;
        }
        try {
            if (channel == null) {
                Files.createDirectories(directory);
                Path created = Files.createTempFile(directory, "msg-", ".spool");
                file = created;
                FileChannel opened = FileChannel.open(created, StandardOpenOption.WRITE);
                channel = opened;
                for (ByteBuffer kept : memory) {
                    writeFully(opened, kept.duplicate());
                }
                memory.clear();
            }
            writeFully(channel, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spool file in " + directory, e);
        }
    }

    private static void writeFully(FileChannel target, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            target.write(bytes);
        }
    }
}
