package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hato contacts import|export} against the running server's store: an Outlook CSV in Shift_JIS, a Gmail CSV,
 * Thunderbird's LDIF with a mailing list and a vCard file, Japanese names throughout, exported again in each format.
 */
class ContactsCommandTest {

    private static final RunningHato HATO = RunningHato.shared();

    @TempDir
    Path dir;

    private static CliRun hato(String... args) {
        return CliRun.of(HATO.dataDir(), "", args);
    }

    @Test
    void filesFromOutlookGmailThunderbirdAndVcardShouldImportAndExportAgain() throws Exception {
        RunningHato.User ann = HATO.newUser("contacts");
        Path outlook = dir.resolve("outlook.csv");
        Files.write(outlook, ("\"First Name\",\"Last Name\",\"E-mail Address\",\"Mobile Phone\",\"Company\"\r\n"
                + "\"太郎\",\"山田\",\"taro@example.jp\",\"090-1111-2222\",\"例株式会社\"\r\n")
                .getBytes(Charset.forName("windows-31j")));
        Path gmail = dir.resolve("google.csv");
        Files.writeString(gmail, "First Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value\n"
                + "花子,佐藤,友達 ::: * myContacts,* Home,hanako@example.jp\n");
        Path ldif = dir.resolve("thunderbird.ldif");
        Files.writeString(ldif, "dn: cn=Carol Danvers,mail=carol@example.org\nobjectclass: top\n"
                + "objectclass: mozillaAbPersonAlpha\ncn: Carol Danvers\nmail: carol@example.org\n\n"
                + "dn: cn=Team\nobjectclass: top\nobjectclass: groupOfNames\ncn: Team\n"
                + "member: cn=Carol Danvers,mail=carol@example.org\n\n");
        Path vcard = dir.resolve("export.vcf");
        Files.writeString(vcard, "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ichiro-1\r\nFN:鈴木 一郎\r\nN:鈴木;一郎;;;\r\n"
                + "EMAIL:ichiro@example.jp\r\nEND:VCARD\r\n");

        for (Path file : new Path[] {outlook, gmail, ldif, vcard}) {
            CliRun run = hato("contacts", "import", ann.address(), file.toString());
            assertThat(run.status()).as(run.err()).isZero();
        }
        assertThat(hato("contacts", "import", ann.authId(), vcard.toString()).out())
                .contains("0 added, 1 replaced, 0 refused");

        CliRun vcards = hato("contacts", "export", ann.address(), "--vcard-version", "4.0");
        assertThat(vcards.status()).as(vcards.err()).isZero();
        assertThat(vcards.out()).contains("FN:山田 太郎", "FN:佐藤 花子", "CATEGORIES:友達", "FN:鈴木 一郎",
                "KIND:group", "MEMBER:urn:uuid:");
        CliRun csv = hato("contacts", "export", ann.address(), "--format", "csv");
        assertThat(csv.out()).startsWith("\"Name\",\"First Name\"").contains("\"山田 太郎\",\"太郎\"",
                "hanako@example.jp").doesNotContain("Team");
        CliRun thunderbird = hato("contacts", "export", ann.address(), "--format", "ldif");
        assertThat(thunderbird.out()).contains("objectclass: groupOfNames",
                "member: cn=Carol Danvers,mail=carol@example.org",
                "mail: taro@example.jp");
        assertThat(new String(java.util.Base64.getDecoder().decode(thunderbird.out().lines()
                .filter(line -> line.startsWith("cn:: ")).findFirst().orElseThrow().substring(5)),
                StandardCharsets.UTF_8)).isIn("山田 太郎", "佐藤 花子", "鈴木 一郎");
    }
}
