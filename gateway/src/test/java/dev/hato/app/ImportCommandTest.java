package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hato user import} against the running server: the issued auth IDs and passwords work for POP3 logins. */
class ImportCommandTest {

    private static final RunningHato HATO = RunningHato.shared();

    @TempDir
    Path dir;

    private static CliRun hato(String... args) {
        return CliRun.of(HATO.dataDir(), "", args);
    }

    /**
     * A thousand people, deterministic: every tenth with an auth ID of its own, names with commas, quotes and
     * Japanese; passwords mostly "external" (Argon2id at full cost is what the benchmark measures, not this test),
     * ten generated and ten given.
     */
    private static String thousandPeople(String domain) {
        StringBuilder csv = new StringBuilder("address,display_name,auth_id,password\r\n");
        for (int i = 0; i < 1_000; i++) {
            String name = switch (i % 3) {
                case 0 -> "山田 太郎 " + i;
                case 1 -> "\"Doe, Jane \"\"J\"\" " + i + "\"";
                default -> "Person " + i;
            };
            String authId = i % 10 == 0 ? "given." + i : "";
            String password = i % 100 == 0 ? "" : i % 100 == 1 ? "Given-pass-" + i : "external";
            csv.append("Person").append(i).append('@').append(domain).append(',').append(name).append(',')
                    .append(authId).append(',').append(password).append("\r\n");
        }
        return csv.toString();
    }

    /** address → [auth_id, initial_password]; the issued file has no quoted fields. */
    private static Map<String, String[]> issued(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("address,auth_id,initial_password");
        return lines.subList(1, lines.size()).stream().map(line -> line.split(",", -1))
                .collect(Collectors.toMap(fields -> fields[0], fields -> new String[] {fields[1], fields[2]},
                        (a, b) -> { throw new AssertionError("address twice"); }, java.util.LinkedHashMap::new));
    }

    private static void assertPop3Login(String authId, String password) throws Exception {
        try (SocketTransport pop = new SocketTransport(HATO.port("pop3s"), true)) {
            assertThat(pop.readLine()).startsWith("+OK");
            pop.send(("USER " + authId + "\r\nPASS " + password + "\r\n").getBytes(StandardCharsets.UTF_8));
            assertThat(pop.readLine()).startsWith("+OK");
            assertThat(pop.readLine()).as("login of " + authId).startsWith("+OK Logged in");
        }
    }

    @Test
    void aThousandPeopleShouldBeImportedOnceAndLogInWithTheIssuedAuthIds() throws Exception {
        assertThat(hato("domain", "add", "import.example").status()).isZero();
        Path csv = dir.resolve("people.csv");
        Files.writeString(csv, "\uFEFF" + thousandPeople("import.example"), StandardCharsets.UTF_8);

        CliRun first = hato("user", "import", csv.toString(), "--batch-size", "300");

        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.out()).contains("imported 1000 rows from " + csv + ": 1000 created, 0 updated, 0 unchanged")
                .contains("auth IDs written to " + dir.resolve("people-issued.csv") + " (1000 rows, 10 initial "
                        + "passwords)")
                .containsPattern("time \\d+\\.\\d\\d s \\(checking \\d+\\.\\d\\d s, hashing \\d+\\.\\d\\d s, "
                        + "database \\d+\\.\\d\\d s\\), \\d+ rows/s");
        assertThat(first.err()).contains("import: 1000 rows checked").contains("import: 1000/1000 rows written");
        Path issuedFile = dir.resolve("people-issued.csv");
        assertThat(Files.getPosixFilePermissions(issuedFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Map<String, String[]> issued = issued(issuedFile);
        assertThat(issued).hasSize(1000);
        assertThat(issued.get("person0@import.example")).containsExactly("given.0",
                issued.get("person0@import.example")[1]);
        assertThat(issued.get("person0@import.example")[1]).hasSize(16);
        assertThat(issued.get("person7@import.example")[0]).matches("person7-[a-z2-9]{4}");
        assertThat(issued.get("person7@import.example")[1]).isEmpty();
        assertThat(issued.values().stream().filter(v -> !v[1].isEmpty()).count()).isEqualTo(10);
        assertThat(issued.values().stream().map(v -> v[0]).distinct().count()).isEqualTo(1000);

        String[] generated = issued.get("person500@import.example");
        assertPop3Login(generated[0], generated[1]);
        assertPop3Login(issued.get("person301@import.example")[0], "Given-pass-301");

        String listed = hato("user", "list", "--domain", "import.example").out();
        assertThat(listed).contains("given.30\tperson30@import.example\t山田 太郎 30")
                .contains("\tperson31@import.example\tDoe, Jane \"J\" 31");

        CliRun again = hato("user", "import", csv.toString(), "--out", dir.resolve("again.csv").toString());

        assertThat(again.status()).as(again.err()).isZero();
        assertThat(again.out()).contains("1000 rows from " + csv + ": 0 created, 0 updated, 1000 unchanged")
                .contains("(1000 rows, 0 initial passwords)");
        Map<String, String[]> reissued = issued(dir.resolve("again.csv"));
        assertThat(reissued.keySet()).containsExactlyElementsOf(issued.keySet());
        assertThat(reissued.values()).extracting(v -> v[0])
                .containsExactlyElementsOf(issued.values().stream().map(v -> v[0]).toList());
        assertPop3Login(generated[0], generated[1]);
    }

    @Test
    void anExistingIssuedListShouldNeverBeOverwrittenUnasked() throws Exception {
        assertThat(hato("domain", "add", "keep.example").status()).isZero();
        Path csv = dir.resolve("keep.csv");
        Files.writeString(csv, "address,display_name,auth_id,password\nann@keep.example,Ann,,\n");
        assertThat(hato("user", "import", csv.toString()).status()).isZero();
        String firstList = Files.readString(dir.resolve("keep-issued.csv"));

        CliRun refused = hato("user", "import", csv.toString());

        assertThat(refused.status()).isNotZero();
        assertThat(refused.err()).startsWith("hato: ").contains("keep-issued.csv exists").contains("--overwrite");
        assertThat(Files.readString(dir.resolve("keep-issued.csv"))).isEqualTo(firstList);
        CliRun overwritten = hato("user", "import", csv.toString(), "--overwrite");
        assertThat(overwritten.status()).as(overwritten.err()).isZero();
        assertThat(overwritten.out()).contains("0 created, 0 updated, 1 unchanged");
    }

    @Test
    void aFileWithBadRowsShouldBeReportedRowByRowAndImportNothing() throws Exception {
        assertThat(hato("domain", "add", "bad-import.example").status()).isZero();
        StringBuilder csv = new StringBuilder("address,display_name,auth_id,password\n");
        for (int i = 2; i <= 20; i++) {
            String address = switch (i) {
                case 17 -> "x";
                case 18 -> "p3@bad-import.example";
                case 19 -> "p19@nowhere.example";
                default -> "p" + i + "@bad-import.example";
            };
            String password = i == 12 ? "short" : "external";
            csv.append(address).append(",P ").append(i).append(",,").append(password).append('\n');
        }
        csv.append("p21@bad-import.example,\"Doe, J\",,external,extra\n");
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, csv);

        CliRun result = hato("user", "import", file.toString());

        assertThat(result.status()).isNotZero();
        assertThat(result.err().lines().toList()).containsExactly(
                "line 12: password too short: at least 8 characters",
                "line 17: malformed address 'x': expected local-part@domain",
                "line 18: duplicate address 'p3@bad-import.example' (first on line 3)",
                "line 19: unknown domain 'nowhere.example' of p19@nowhere.example (add it first: hato domain add "
                        + "nowhere.example)",
                "line 21: expected 4 fields, found 5 (quote a field that contains a comma)",
                "hato: " + file + ": 5 bad rows, nothing imported");
        assertThat(result.out()).isEmpty();
        assertThat(hato("user", "list", "--domain", "bad-import.example").out()).isEmpty();
        assertThat(dir.resolve("bad-issued.csv")).doesNotExist();
    }
}
