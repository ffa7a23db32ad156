package dev.hato.app;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * One port number free on several loopback addresses at once, for test servers that play different hosts on the
 * same port (Hato's outbound queue connects to one port number on every MX). A port the system hands out as free on
 * one address can be taken on another, so every address is tried while the others are held, and a port that any of
 * them refuses is given up for the next.
 */
final class LoopbackPorts {

    private static final int ATTEMPTS = 50;

    private LoopbackPorts() {
    }

    static int freeOnAll(String... addresses) throws IOException {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            List<ServerSocket> held = new ArrayList<>();
            try {
                int port = 0;
                for (String address : addresses) {
                    ServerSocket socket = new ServerSocket();
                    held.add(socket);
                    socket.bind(new InetSocketAddress(InetAddress.getByName(address), port), 1);
                    port = socket.getLocalPort();
                }
                return port;
            } catch (BindException taken) {
                // this port is taken on one of the addresses: try another
            } finally {
                for (ServerSocket socket : held) {
                    socket.close();
                }
            }
        }
        throw new IOException("no port free on all of " + String.join(", ", addresses) + " in " + ATTEMPTS
                + " attempts");
    }
}
