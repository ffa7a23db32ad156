package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hato user sync-ldap} creates the accounts of a domain from an LDAP subtree, idempotently. */
class SyncLdapTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final String BASE = "dc=sync,dc=test";

    @TempDir
    Path dir;

    private CliRun run(Path config, String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--config";
        all[args.length + 1] = config.toString();
        return CliRun.of(HATO.dataDir(), "", all);
    }

    @Test
    void syncLdapShouldCreateTheDomainsPeopleOnceWithTheirLdapAuthIds() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getByName("127.0.0.1"),
                0, null));
        InMemoryDirectoryServer ldap = new InMemoryDirectoryServer(config);
        try {
            ldap.add("dn: " + BASE, "objectClass: domain", "dc: sync");
            ldap.add("dn: ou=people," + BASE, "objectClass: organizationalUnit", "ou: people");
            ldap.add("dn: uid=tanaka.t.aa-k3mz,ou=people," + BASE, "objectClass: inetOrgPerson",
                    "uid: tanaka.t.aa-k3mz", "cn: 田中 太郎", "sn: 田中", "mail: tanaka.t.aa@sync.test");
            ldap.add("dn: uid=suzuki.h.ab-p7qr,ou=people," + BASE, "objectClass: inetOrgPerson",
                    "uid: suzuki.h.ab-p7qr", "cn: Suzuki Hanako", "sn: Suzuki", "mail: Suzuki.H.AB@sync.test");
            ldap.add("dn: uid=guest-x2y3,ou=people," + BASE, "objectClass: inetOrgPerson", "uid: guest-x2y3",
                    "cn: Guest", "sn: Guest", "mail: guest@elsewhere.test");
            ldap.startListening();
            Path properties = dir.resolve("hato.properties");
            Files.writeString(properties, "hato.auth.ldap.campus.urls=ldap://127.0.0.1:" + ldap.getListenPort()
                    + "\nhato.auth.ldap.campus.base-dn=ou=people," + BASE + "\n", StandardCharsets.UTF_8);
            HATO.provisioning().addDomain("sync.test").block();

            CliRun first = run(properties, "user", "sync-ldap", "--source", "campus", "--domain", "sync.test");
            assertThat(first.status()).as(first.err()).isZero();
            assertThat(first.out()).contains("synced 2 people from ldap:campus into sync.test: 2 created, 0 updated, "
                    + "0 unchanged; 1 entries skipped");
            String list = run(properties, "user", "list", "--domain", "sync.test").out();
            assertThat(list).contains("tanaka.t.aa-k3mz\ttanaka.t.aa@sync.test\t田中 太郎")
                    .contains("suzuki.h.ab-p7qr\tsuzuki.h.ab@sync.test\tSuzuki Hanako")
                    .doesNotContain("guest");

            CliRun again = run(properties, "user", "sync-ldap", "--source", "campus", "--domain", "sync.test");
            assertThat(again.out()).contains("0 created, 0 updated, 2 unchanged");
            CliRun unknown = run(properties, "user", "sync-ldap", "--source", "nope", "--domain", "sync.test");
            assertThat(unknown.status()).isEqualTo(1);
            assertThat(unknown.err()).startsWith("hato: no LDAP source 'nope'");
        } finally {
            ldap.shutDown(true);
        }
    }
}
