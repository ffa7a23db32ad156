package dev.hato.app;

/** One client connection as a conversation script sees it: bytes out, reply lines in. */
interface Transport extends AutoCloseable {

    void send(byte[] bytes) throws Exception;

    /** The next line the server sent, without CRLF; fails when none comes. */
    String readLine() throws Exception;

    /** True when the server closed the connection (after everything it sent was read). */
    boolean closedByServer() throws Exception;

    /**
     * What the server has sent that the script did not read (empty when nothing): called when a script ends, so
     * that a reply the script forgot to expect fails it. Output the server sends after a short grace is not seen.
     */
    String unread() throws Exception;

    /** Client side of STARTTLS/STLS, after the server's positive reply was read. */
    void startTls() throws Exception;

    @Override
    void close();
}
