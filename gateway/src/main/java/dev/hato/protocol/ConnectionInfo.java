package dev.hato.protocol;

import java.net.InetSocketAddress;

/** Facts about a connection that a session may use: who is on the other side and whether TLS is already on. */
public record ConnectionInfo(InetSocketAddress remote, InetSocketAddress local, boolean tls) {

    public String remoteIp() {
        return remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
    }
}
