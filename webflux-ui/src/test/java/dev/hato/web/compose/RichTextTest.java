package dev.hato.web.compose;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RichTextTest {

    @Test
    void listsShouldBeNumberedOrMarkedLevelByLevel() {
        RichText.Composed composed = RichText.compose("<ol><li>one</li><li>two<ul><li>a</li><li>b</li></ul></li>"
                + "<li>three</li></ol><p>after</p>");
        assertThat(composed.text()).isEqualTo("1. one\n2. two\n* a\n* b\n3. three\nafter\n");
    }

    @Test
    void quotesShouldBePrefixedAndDeepOnesCapped() {
        assertThat(RichText.compose("<blockquote>said<blockquote>earlier</blockquote></blockquote>").text())
                .isEqualTo("> said\n>> earlier\n");
        // 500 levels (about what the parser keeps) of one short line each: eight marks at most, so the text stays
        // about as long as the HTML instead of growing with the depth.
        String deep = "<blockquote>".repeat(500) + "x<br>".repeat(20_000);
        RichText.Composed composed = RichText.compose(deep);
        assertThat(composed.text()).startsWith(">".repeat(RichText.MAX_QUOTE_DEPTH) + " x\n");
        assertThat(composed.text().length()).isLessThan(3 * deep.length());
    }

    @Test
    void aLongNumberedListShouldBeNumberedInOnePass() {
        String items = "<li>x</li>".repeat(100_000);
        String text = RichText.compose("<ol>" + items + "</ol>").text();
        assertThat(text).startsWith("1. x\n2. x\n").endsWith("100000. x\n");
    }

    @Test
    void whatTheEditorCannotMakeShouldBeCleanedAway() {
        RichText.Composed composed = RichText.compose("<p onclick=\"x()\">hi <a href=\"javascript:x()\">a</a>"
                + "<a href=\"https://example.jp/\">b</a><img src=\"https://t.example/p.gif\"></p><script>x()</script>");
        assertThat(composed.html()).isEqualTo("<p>hi <a>a</a><a href=\"https://example.jp/\">b</a></p>");
        assertThat(composed.text()).isEqualTo("hi ab <https://example.jp/>\n");
        assertThat(RichText.compose("<p> </p><script>x</script>").isEmpty()).isTrue();
    }
}
