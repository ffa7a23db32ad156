package dev.hato.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The import file: header-named columns, what an empty or "external" cell means, per-row problems. */
class PeopleCsvTest {

    @TempDir
    Path dir;

    @Test
    void rowsShouldBecomePeopleWithTheirLineNumbers() {
        PeopleCsv.Parsed parsed = PeopleCsv.read("""
                address,display_name,auth_id,password
                ann@example.test,Ann,ann-x7q2,correct-horse
                "bob@example.test","Doe, Bob",,
                taro@example.test,山田 太郎,,external
                """);

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.people()).containsExactly(
                new Person(2, "ann@example.test", "Ann", "ann-x7q2", Person.Password.given("correct-horse")),
                new Person(3, "bob@example.test", "Doe, Bob", null, Person.Password.GENERATE),
                new Person(4, "taro@example.test", "山田 太郎", null, Person.Password.EXTERNAL));
    }

    @Test
    void onlyTheExactLowerCaseWordExternalShouldMeanNoLocalPassword() {
        PeopleCsv.Parsed parsed = PeopleCsv.read("address,password\na@x.test,External\nb@x.test,external\n");

        assertThat(parsed.people()).extracting(Person::password)
                .containsExactly(Person.Password.given("External"), Person.Password.EXTERNAL);
    }

    @Test
    void columnsShouldBeFoundByTheirHeaderNameInAnyOrderAndOnlyAddressIsRequired() {
        PeopleCsv.Parsed parsed = PeopleCsv.read("Password, ADDRESS\r\nsecret-pass,ann@example.test\r\n");

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.people()).containsExactly(
                new Person(2, "ann@example.test", null, null, Person.Password.given("secret-pass")));
    }

    @Test
    void aRowWithTheWrongNumberOfFieldsShouldBeAProblemOnItsLine() {
        PeopleCsv.Parsed parsed = PeopleCsv.read("""
                address,display_name,auth_id,password
                ann@example.test,Doe, Ann,,
                bob@example.test,Bob,,
                """);

        assertThat(parsed.problems()).extracting(ImportProblem::toString)
                .containsExactly("line 2: expected 4 fields, found 5 (quote a field that contains a comma)");
        assertThat(parsed.people()).extracting(Person::line).containsExactly(3);
    }

    @Test
    void aBadHeaderShouldBeTheOnlyProblemSinceNoRowCanBeReadWithoutIt() {
        assertThat(PeopleCsv.read("address,name\nann@example.test,Ann\n").problems())
                .extracting(ImportProblem::toString)
                .containsExactly("line 1: unknown column 'name' in the header: expected "
                        + "address,display_name,auth_id,password");
        assertThat(PeopleCsv.read("display_name\nAnn\n").problems()).extracting(ImportProblem::toString)
                .containsExactly("line 1: no address column in the header: expected "
                        + "address,display_name,auth_id,password");
        assertThat(PeopleCsv.read("address,address\n").problems()).extracting(ImportProblem::message)
                .containsExactly("column 'address' twice in the header");
        assertThat(PeopleCsv.read("").problems()).extracting(ImportProblem::toString)
                .containsExactly("line 1: no header line: expected address,display_name,auth_id,password");
        assertThat(PeopleCsv.read("addr\"ess\nann@example.test\n").people()).isEmpty();
    }

    @Test
    void csvProblemsAndFieldCountProblemsShouldComeInLineOrder() {
        PeopleCsv.Parsed parsed = PeopleCsv.read("address,display_name\na@x.test\nb@x.test,\"Bob\nc@x.test,C\n");

        assertThat(parsed.problems()).extracting(ImportProblem::line).containsExactly(2, 3);
    }

    @Test
    void aFileShouldBeReadAsUtf8WithOrWithoutBom() throws Exception {
        Path file = dir.resolve("people.csv");
        Files.write(file, ("\uFEFFaddress,display_name\r\ntaro@example.test,山田 太郎\r\n")
                .getBytes(StandardCharsets.UTF_8));

        assertThat(PeopleCsv.read(file).people()).extracting(Person::displayName).containsExactly("山田 太郎");
    }

    @Test
    void aFileThatIsNotUtf8ShouldBeRefusedAsAWhole() throws Exception {
        Path file = dir.resolve("latin1.csv");
        Files.write(file, "address,display_name\nj@example.test,J\u00e9r\u00f4me\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> PeopleCsv.read(file)).isInstanceOf(ProvisioningException.class)
                .hasMessageContaining("not UTF-8");
    }

    @Test
    void theIssuedListShouldBeNamedAfterTheInputNextToIt() {
        assertThat(IssuedCsv.defaultPath(Path.of("/data/users.csv"))).isEqualTo(Path.of("/data/users-issued.csv"));
        assertThat(IssuedCsv.defaultPath(Path.of("people.CSV"))).isEqualTo(Path.of("people-issued.csv"));
        assertThat(IssuedCsv.defaultPath(Path.of("list.txt"))).isEqualTo(Path.of("list.txt-issued.csv"));
    }

    @Test
    void theIssuedListShouldBeReadableByItsOwnerOnlyAndNeverReplacedUnasked() throws Exception {
        Path file = dir.resolve("issued.csv");
        try (IssuedCsv issued = IssuedCsv.create(file, false)) {
            issued.write(List.of(new Issued(2, "ann@example.test", "ann-x7q2", "Init1alPassw0rd"),
                    new Issued(3, "taro@example.test", "taro-abcd", null)));
        }

        assertThat(Files.getPosixFilePermissions(file))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(file)).isEqualTo("address,auth_id,initial_password\r\n"
                + "ann@example.test,ann-x7q2,Init1alPassw0rd\r\ntaro@example.test,taro-abcd,\r\n");
        assertThatThrownBy(() -> IssuedCsv.create(file, false))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        IssuedCsv.create(file, true).close();
        assertThat(Files.getPosixFilePermissions(file))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
}
