package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The hato command works while the server runs (it attaches to its embedded PostgreSQL). */
class CliTest {

    private static final RunningHato HATO = RunningHato.shared();

    private static CliRun hato(String stdin, String... args) {
        return CliRun.of(HATO.dataDir(), stdin, args);
    }

    @Test
    void exitStatusShouldTellDoneRefusedAndWrongCommandLineApart() {
        // docs/operations.md, "Exit status of the hato commands".
        assertThat(hato("", "--version").status()).isZero();
        CliRun refused = hato("", "domain", "add", "bad domain!");
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).startsWith("hato: ");
        assertThat(hato("", "user", "frob").status()).isEqualTo(2);
        assertThat(hato("", "--bogus").status()).isEqualTo(2);
        assertThat(hato("", "domain", "add").status()).as("a missing argument").isEqualTo(2);
    }

    @Test
    void domainAndUserAddedWhileRunningShouldLetTheUserLogInWithThePrintedAuthId() throws Exception {
        assertThat(hato("", "domain", "add", "Cli.Example").status()).isZero();
        assertThat(hato("", "domain", "list").out()).contains("cli.example");

        CliRun added = hato("s3cret-pass\n", "user", "add", "Frank.Li@cli.example", "--name", "Frank Li",
                "--password-stdin");
        assertThat(added.status()).as(added.err()).isZero();
        String authId = added.out().trim();
        assertThat(authId).matches("frank\\.li-[a-z2-9]{4}");
        assertThat(hato("", "user", "list", "--domain", "cli.example").out())
                .contains(authId + "\tfrank.li@cli.example\tFrank Li");

        try (SocketTransport pop = new SocketTransport(HATO.port("pop3s"), true)) {
            assertThat(pop.readLine()).startsWith("+OK");
            pop.send(("USER " + authId + "\r\nPASS s3cret-pass\r\n").getBytes(StandardCharsets.UTF_8));
            assertThat(pop.readLine()).startsWith("+OK");
            assertThat(pop.readLine()).startsWith("+OK Logged in");
        }

        assertThat(hato("new-pass-123\n", "user", "passwd", authId, "--password-stdin").status()).isZero();
        try (SocketTransport pop = new SocketTransport(HATO.port("pop3s"), true)) {
            pop.readLine();
            pop.send(("USER " + authId + "\r\nPASS s3cret-pass\r\nUSER " + authId + "\r\nPASS new-pass-123\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            pop.readLine();
            assertThat(pop.readLine()).startsWith("-ERR [AUTH]");
            pop.readLine();
            assertThat(pop.readLine()).startsWith("+OK Logged in");
        }
    }

    @Test
    void aliasesCatchAllAndForwardingShouldBeManagedWhileRunningAndRouteMail() {
        hato("", "domain", "add", "alias-cli.example");
        hato("", "user", "add", "ann@alias-cli.example", "--auth-id", "ann.cli-x7q2");
        CliRun added = hato("", "alias", "add", "Team@Alias-Cli.example", "ann@alias-cli.example",
                "Friend@Remote.example");
        assertThat(added.status()).as(added.err()).isZero();
        assertThat(added.out().trim()).isEqualTo("team@alias-cli.example -> ann@alias-cli.example, Friend@remote.example");
        assertThat(hato("", "alias", "catch-all", "alias-cli.example", "ann@alias-cli.example").status()).isZero();
        assertThat(hato("", "alias", "forward", "ann.cli-x7q2", "ann@away.example", "--keep-copy").out())
                .contains("ann@alias-cli.example -> ann@away.example (keeps a copy)");

        assertThat(hato("", "alias", "list", "alias-cli.example").out()).isEqualTo(String.join(System.lineSeparator(),
                "team@alias-cli.example -> ann@alias-cli.example, Friend@remote.example",
                "ann@alias-cli.example -> ann@away.example (forwarding, keeps a copy)",
                "*@alias-cli.example -> ann@alias-cli.example (catch-all)", ""));

        assertThat(hato("", "alias", "list", "alias-cli.example", "--json").out().trim()).isEqualTo("["
                + "{\"kind\":\"alias\",\"address\":\"team@alias-cli.example\",\"targets\":[\"ann@alias-cli.example\","
                + "\"Friend@remote.example\"]},{\"kind\":\"forwarding\",\"address\":\"ann@alias-cli.example\","
                + "\"targets\":[\"ann@away.example\"],\"keep_copy\":true},{\"kind\":\"catch-all\","
                + "\"address\":\"*@alias-cli.example\",\"targets\":[\"ann@alias-cli.example\"]}]");
        assertThat(hato("", "user", "list", "--domain", "alias-cli.example", "--json").out().trim()).isEqualTo(
                "[{\"auth_id\":\"ann.cli-x7q2\",\"address\":\"ann@alias-cli.example\",\"display_name\":\"\"}]");
        assertThat(hato("", "domain", "list", "--json").out()).contains("{\"name\":\"alias-cli.example\"}");
        assertThat(hato("", "queue", "list", "--json").out()).startsWith("[");

        assertThat(hato("", "alias", "remove", "team@alias-cli.example", "friend@remote.example").status()).isZero();
        assertThat(hato("", "alias", "forward", "ann@alias-cli.example", "--off").status()).isZero();
        assertThat(hato("", "alias", "catch-all", "alias-cli.example", "--off").status()).isZero();
        assertThat(hato("", "alias", "list", "alias-cli.example").out().trim())
                .isEqualTo("team@alias-cli.example -> ann@alias-cli.example");
        assertThat(hato("", "alias", "remove", "team@alias-cli.example").status()).isZero();
        assertThat(hato("", "alias", "list", "alias-cli.example").out()).isEmpty();
    }

    @Test
    void badAliasInputShouldBeRefusedWithOneLine() {
        hato("", "domain", "add", "alias-bad.example");
        hato("", "user", "add", "bob@alias-bad.example", "--auth-id", "bob.cli-x7q2");
        assertThat(hato("", "alias", "add", "bob@alias-bad.example", "x@y.example").err())
                .startsWith("hato: an account has the address bob@alias-bad.example");
        assertThat(hato("", "alias", "add", "team@nowhere.example", "x@y.example").err())
                .startsWith("hato: the domain of team@nowhere.example is not a local domain");
        assertThat(hato("", "alias", "add", "team@alias-bad.example", "not an address").err())
                .startsWith("hato: not an address: not an address");
        assertThat(hato("", "alias", "remove", "nobody@alias-bad.example").err())
                .startsWith("hato: no alias nobody@alias-bad.example");
        assertThat(hato("", "alias", "forward", "bob.cli-x7q2").err()).startsWith("hato: give either TARGETs or --off");
        assertThat(hato("", "alias", "catch-all", "alias-bad.example").status()).isNotZero();
    }

    @Test
    void userAddWithoutPasswordShouldPrintAGeneratedOne() {
        hato("", "domain", "add", "gen.example");
        CliRun added = hato("", "user", "add", "gina@gen.example", "--auth-id", "Gina.Custom-01");
        assertThat(added.status()).as(added.err()).isZero();
        String[] lines = added.out().split("\n");
        assertThat(lines[0]).isEqualTo("gina.custom-01");
        assertThat(lines[1]).matches("initial password: \\S{16}");
    }

    @Test
    void badInputShouldGetOneLineAndANonZeroStatusWithoutWritingAnything() {
        hato("", "domain", "add", "bad.example");
        assertThat(hato("", "domain", "add", "bad.example"))
                .satisfies(r -> assertThat(r.status()).isNotZero())
                .satisfies(r -> assertThat(r.err()).startsWith("hato: ").contains("bad.example"));
        assertThat(hato("", "domain", "add", "not a domain").err()).startsWith("hato: malformed domain name");
        CliRun unknownDomain = hato("password-1\n", "user", "add", "x@nowhere.example", "--password-stdin");
        assertThat(unknownDomain.status()).isNotZero();
        assertThat(unknownDomain.err()).startsWith("hato: ").contains("nowhere.example");
        CliRun malformed = hato("password-1\n", "user", "add", "no-at-sign", "--password-stdin");
        assertThat(malformed.status()).isNotZero();
        assertThat(malformed.err()).startsWith("hato: malformed address");
        assertThat(hato("password-1\n", "user", "add", "h@bad.example", "--password-stdin").status()).isZero();
        CliRun duplicate = hato("password-1\n", "user", "add", "H@bad.example", "--password-stdin");
        assertThat(duplicate.status()).isNotZero();
        assertThat(duplicate.err()).startsWith("hato: ").contains("h@bad.example");
        assertThat(hato("short\n", "user", "add", "i@bad.example", "--password-stdin").err())
                .startsWith("hato: password too short");
        assertThat(hato("", "user", "list", "--domain", "bad.example").out()).contains("h@bad.example")
                .doesNotContain("i@bad.example");
        CliRun notEmpty = hato("", "domain", "remove", "bad.example");
        assertThat(notEmpty.status()).isNotZero();
        assertThat(hato("", "user", "remove", "h@bad.example").status()).isZero();
        assertThat(hato("", "domain", "remove", "bad.example").status()).isZero();
        assertThat(hato("", "domain", "list").out()).doesNotContain("bad.example");
        assertThat(hato("", "user", "remove", "nobody-xyz").status()).isNotZero();
    }
}
