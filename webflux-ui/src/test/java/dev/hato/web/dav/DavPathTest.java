package dev.hato.web.dav;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Request paths and hrefs to places in the DAV tree and back, percent-encoding included. */
class DavPathTest {

    @Test
    void pathsShouldNameTheirPlaceWithOrWithoutTheTrailingSlash() {
        assertThat(DavPath.parse("/dav").kind()).isEqualTo(DavPath.Kind.CONTEXT);
        assertThat(DavPath.parse("/dav/principal").kind()).isEqualTo(DavPath.Kind.PRINCIPAL);
        assertThat(DavPath.parse("/dav/addressbooks/").kind()).isEqualTo(DavPath.Kind.HOME);
        assertThat(DavPath.parse("/dav/addressbooks/default")).isEqualTo(DavPath.book("default"));
        assertThat(DavPath.parse("https://mail.example.test/dav/addressbooks/default/a%20b%E5%B1%B1.vcf"))
                .isEqualTo(DavPath.contact("default", "a b山.vcf"));
        assertThat(DavPath.contact("default", "a b山.vcf").href())
                .isEqualTo("/dav/addressbooks/default/a%20b%E5%B1%B1.vcf");
    }

    @Test
    void pathsOutsideTheTreeShouldBeNothing() {
        assertThat(DavPath.parse("/davx")).isNull();
        assertThat(DavPath.parse("/mail/")).isNull();
        assertThat(DavPath.parse("/dav/other/")).isNull();
        assertThat(DavPath.parse("/dav/addressbooks/default/a.vcf/deeper")).isNull();
    }
}
