package dev.hato.auth.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldif.LDIFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.GeneralSecurityException;

/**
 * UnboundID's in-memory directory on loopback: plain LDAP (with StartTLS) and LDAPS, on ports chosen at start and
 * kept across {@link #stop()} and {@link #start()}, so a client sees "the same server" come back.
 */
final class TestDirectoryServer implements AutoCloseable {

    static final String BASE = "dc=example,dc=org";
    static final String PEOPLE = "ou=people," + BASE;
    static final String SERVICE_DN = "cn=hato,ou=services," + BASE;
    static final String SERVICE_PASSWORD = "service secret";

    private final InMemoryDirectoryServer server;
    private final int ldapPort;
    private final int ldapsPort;

    TestDirectoryServer(TestCertificate certificate) {
        try {
            ldapPort = freePort();
            ldapsPort = freePort();
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
            config.setListenerConfigs(
                    InMemoryListenerConfig.createLDAPConfig("ldap", loopback, ldapPort,
                            certificate.serverSsl().createSSLSocketFactory()),
                    InMemoryListenerConfig.createLDAPSConfig("ldaps", loopback, ldapsPort,
                            certificate.serverSsl().createSSLServerSocketFactory(), null));
            config.addAdditionalBindCredentials(SERVICE_DN, SERVICE_PASSWORD);
            server = new InMemoryDirectoryServer(config);
            server.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: example");
            server.add("dn: " + PEOPLE, "objectClass: top", "objectClass: organizationalUnit", "ou: people");
            server.add("dn: ou=services," + BASE, "objectClass: top", "objectClass: organizationalUnit",
                    "ou: services");
            server.startListening();
        } catch (LDAPException | LDIFException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void addPerson(String uid, String mail, String name, String password) throws LDAPException, LDIFException {
        server.add("dn: uid=" + uid + "," + PEOPLE, "objectClass: top", "objectClass: person",
                "objectClass: organizationalPerson", "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + name,
                "sn: " + name.substring(name.lastIndexOf(' ') + 1), "mail: " + mail, "userPassword: " + password);
    }

    void add(String... ldif) throws LDAPException, LDIFException {
        server.add(ldif);
    }

    String ldapUrl() {
        return "ldap://127.0.0.1:" + ldapPort;
    }

    String ldapsUrl() {
        return ldapsUrl("127.0.0.1");
    }

    /** {@code host} must lead to 127.0.0.1. */
    String ldapsUrl(String host) {
        return "ldaps://" + host + ":" + ldapsPort;
    }

    /** Closes the listeners and every open connection, like a directory that went down. */
    void stop() {
        server.shutDown(true);
    }

    void start() throws LDAPException {
        server.startListening();
    }

    @Override
    public void close() {
        server.shutDown(true);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
