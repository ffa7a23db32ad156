package dev.hato.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ForwardFileTest {

    @Test
    void addressesAndTheOwnMailboxShouldBeReadAndProgramsAndFilesReported() {
        ForwardFile file = ForwardFile.parse("""
                # forwarded while on leave
                "ann@elsewhere.example", other@example.org # home
                \\ann
                |/usr/bin/procmail
                /var/mail/archive
                :include:/etc/list
                bob
                ann@elsewhere.example
                """, "ann", "ann@uni.example");

        assertThat(file.targets()).containsExactly("ann@elsewhere.example", "other@example.org");
        assertThat(file.keepCopy()).isTrue();
        assertThat(file.unsupported()).containsExactly("|/usr/bin/procmail", "/var/mail/archive",
                ":include:/etc/list", "bob");
    }

    @Test
    void aFileThatOnlyForwardsShouldNotKeepACopyAndOneNamingTheOwnAddressShould() {
        assertThat(ForwardFile.parse("x@example.org\n", "ann", "ann@uni.example").keepCopy()).isFalse();
        assertThat(ForwardFile.parse("x@example.org, ANN@uni.example\n", "ann", "ann@uni.example").keepCopy())
                .isTrue();
        assertThat(ForwardFile.parse("", "ann", "ann@uni.example").targets()).isEmpty();
    }
}
