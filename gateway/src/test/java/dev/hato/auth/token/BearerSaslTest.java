package dev.hato.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BearerSaslTest {

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oauthBearerShouldYieldAuthzidAndToken() {
        assertThat(BearerSasl.oauthBearer(TestTokens.oauthBearer("user@example.com", "t0k.e.n")))
                .contains(new BearerSasl.Response("user@example.com", "t0k.e.n"));
        assertThat(BearerSasl.oauthBearer(b64("n,,\u0001auth=bearer abc\u0001\u0001")))
                .contains(new BearerSasl.Response("", "abc"));
        assertThat(BearerSasl.oauthBearer(b64("n,a=a=2Cb=3Dc,\u0001auth=Bearer abc\u0001\u0001")))
                .contains(new BearerSasl.Response("a,b=c", "abc"));
    }

    @Test
    void xoauth2ShouldYieldUserAndToken() {
        assertThat(BearerSasl.xoauth2(TestTokens.xoauth2("someone", "tok")))
                .contains(new BearerSasl.Response("someone", "tok"));
    }

    @Test
    void malformedResponsesShouldBeRefused() {
        for (String bad : new String[] {"%%%", b64(""), b64("n,a=x,"), b64("p=tls-unique,,\u0001auth=Bearer a\u0001\u0001"),
                b64("n,a=x,\u0001auth=Basic abc\u0001\u0001"), b64("n,a=x,\u0001host=h\u0001\u0001"),
                b64("n,a=x,\u0001auth=Bearer a")}) {
            assertThat(BearerSasl.oauthBearer(bad)).as(bad).isEmpty();
        }
        assertThat(BearerSasl.xoauth2(b64("auth=Bearer a\u0001\u0001"))).isEmpty();
        assertThat(BearerSasl.xoauth2(b64("user=x\u0001auth=Bearer a"))).isEmpty();
    }
}
