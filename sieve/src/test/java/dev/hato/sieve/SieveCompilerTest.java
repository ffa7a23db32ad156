package dev.hato.sieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.sieve.grammar.Position;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SieveCompilerTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "fileinto \"x\";|fileinto needs require \"fileinto\"",
        "require \"FileInto\";|unknown Sieve capability 'FileInto'",
        "require \"editheader\";|unknown Sieve capability 'editheader'",
        "keep; require \"fileinto\";|require must come before any other command",
        "require \"fileinto\"; fileinto [\"a\"];|fileinto takes one string, a mailbox name",
        "require \"fileinto\"; fileinto \"a\" \"b\";|fileinto takes one string",
        "require \"fileinto\"; fileinto :copy \"a\";|unknown tag :copy for fileinto",
        "redirect \"not an address\";|redirect needs an address as local-part@domain",
        "redirect \"a@b..example\";|redirect needs an address",
        "if header :comparator \"i;ascii-numeric\" \"subject\" \"1\" { keep; }|needs require \"comparator-i;ascii-numeric\"",
        "if header :comparator \"i;nonesuch\" \"subject\" \"1\" { keep; }|unknown comparator 'i;nonesuch'",
        "require \"comparator-i;ascii-numeric\"; if header :contains :comparator \"i;ascii-numeric\" \"s\" \"1\" { keep; }|:contains cannot be used with the comparator i;ascii-numeric",
        "if header \"subject\" :is \"x\" { keep; }|the tag :is must come before the other arguments of header",
        "if header :is :contains \"subject\" \"x\" { keep; }|header takes one match type",
        "if header :over \"subject\" \"x\" { keep; }|unknown tag :over for header",
        "if header \"subject\" { keep; }|header takes 2 string lists",
        "if header \"sub ject\" \"x\" { keep; }|'sub ject' is not a header field name",
        "if address \"subject\" \"x\" { keep; }|the address test reads fields that hold addresses, not 'subject'",
        "if address :localpart :domain \"from\" \"x\" { keep; }|address takes one address part",
        "if envelope \"from\" \"x\" { keep; }|the envelope test needs require \"envelope\"",
        "require \"envelope\"; if envelope \"reply-to\" \"x\" { keep; }|the envelope has the parts",
        "if size 10 { keep; }|size takes one of :over and :under",
        "if size :over :under 10 { keep; }|size takes one of :over and :under",
        "if size :over \"10\" { keep; }|size takes one number",
        "if exists 10 { keep; }|exists takes 1 string list",
        "if true;|if needs a block in braces",
        "if true false { keep; }|true takes no test",
        "if (true) { keep; }|if takes one test",
        "if not (true, false) { keep; }|not takes one test",
        "if allof true { keep; }|allof takes a list of tests in parentheses",
        "if nonesuch { keep; }|unknown test 'nonesuch'",
        "elsif true { keep; }|elsif must follow if or elsif",
        "keep { discard; }|keep takes no block",
        "stop 1;|stop takes no arguments",
        "keep :copy;|unknown tag :copy for keep",
        "if true { keep; } else true { keep; }|else takes no test",
        "if body \"x\" { keep; }|the body test needs require \"body\"",
        "require \"body\"; if body :raw :text \"x\" { keep; }|body takes one of :raw, :content and :text",
        "require \"body\"; if body :content 1 \"x\" { keep; }|:content takes a string list",
        "require \"body\"; if body :content \"text\" { keep; }|body takes 1 string list",
        "set \"a\" \"b\";|set needs require \"variables\"",
        "require \"variables\"; set \"1\" \"b\";|set cannot assign to the match variable ${1}",
        "require \"variables\"; set \"a-b\" \"c\";|'a-b' is not a variable name",
        "require \"variables\"; set :lower :upper \"a\" \"c\";|set takes one of :lower and :upper",
        "require \"variables\"; set \"a\";|set takes 2 string lists",
        "require \"variables\"; set [\"a\", \"b\"] \"c\";|set takes a name and a value, one string each",
        "require [\"variables\", \"fileinto\"]; fileinto \"${env.x}\";|refers to a variable namespace",
        "if string \"a\" \"b\" { keep; }|the string test needs require \"variables\"",
        "if header :regex \"subject\" \"x\" { keep; }|unknown tag :regex for header",
        "require \"regex\"; if header :regex \"subject\" \"(\" { keep; }|invalid regular expression '('",
        "require \"regex\"; if header :regex \"subject\" \"(?i)x\" { keep; }|'(?' is not POSIX",
        "require \"regex\"; if header :regex \"subject\" \"a*+\" { keep; }|a quantifier after a quantifier",
        "require \"regex\"; if header :regex \"subject\" \"[[:foo:]]\" { keep; }|unknown character class [:foo:]",
        "require \"regex\"; if header :regex \"subject\" \"[[=a=]]\" { keep; }|equivalence classes",
        "require \"regex\"; if header :regex \"subject\" \"[abc\" { keep; }|an unclosed [",
        "require [\"regex\", \"comparator-i;ascii-numeric\"]; if header :regex :comparator \"i;ascii-numeric\" \"s\" \"1\" { keep; }|:regex can be used with i;octet and i;ascii-casemap only",
        "require \"date\"; if date :zone \"0900\" \"date\" \"year\" \"2026\" { keep; }|:zone takes a zone as +hhmm",
        "require \"date\"; if date :zone \"+0900\" :originalzone \"date\" \"year\" \"2026\" { keep; }|one of :zone and :originalzone",
        "require \"date\"; if date [\"date\", \"received\"] \"year\" \"2026\" { keep; }|date takes one header name and one date-part",
        "require \"index\"; if header :last \"subject\" \"x\" { keep; }|:last needs :index",
        "require \"index\"; if header :index 0 \"subject\" \"x\" { keep; }|:index counts from 1",
        "if header :index 1 \"subject\" \"x\" { keep; }|unknown tag :index for header",
        "if currentdate \"year\" \"2026\" { keep; }|the currentdate test needs require \"date\"",
        "require \"date\"; if currentdate :originalzone \"year\" \"2026\" { keep; }|unknown tag :originalzone for currentdate",
        "require \"vacation\"; vacation;|vacation takes one string, the reason",
        "require \"vacation\"; vacation :days \"3\" \"x\";|:days takes a number",
        "require \"vacation\"; vacation :seconds 3 \"x\";|unknown tag :seconds for vacation",
        "require [\"vacation\", \"vacation-seconds\"]; vacation :seconds 3 :days 1 \"x\";|one of :days and :seconds",
        "require \"vacation\"; vacation :from \"not an address\" \"x\";|vacation :from needs an address",
        "require \"vacation\"; vacation :addresses 1 \"x\";|:addresses takes a string list",
        "keep :flags \"x\";|unknown tag :flags for keep",
        "addflag \"x\";|addflag needs require \"imap4flags\"",
        "if hasflag \"x\" { keep; }|the hasflag test needs require \"imap4flags\"",
        "require \"imap4flags\"; addflag;|addflag takes 1 string list",
        "require \"imap4flags\"; keep :flags;|:flags needs its argument",
        "require [\"imap4flags\", \"fileinto\"]; fileinto :flags \"a\" :flags \"b\" \"A\";|the tag :flags is given twice",
    })
    void badScriptsShouldBeRefusedAtUploadWithTheReason(String script, String reason) {
        assertThatThrownBy(() -> SieveCompiler.compile(script)).isInstanceOf(CompileException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void everyProblemShouldBeReportedAtOnceWithItsLine() {
        String script = "require \"fileinto\";\nfileinto \"a\";\nif nonesuch { keep; }\nredirect \"x\";\n";
        assertThatThrownBy(() -> SieveCompiler.compile(script)).isInstanceOfSatisfying(CompileException.class, e ->
                assertThat(e.problems()).extracting(Problem::at)
                        .containsExactly(new Position(3, 4), new Position(4, 1)));
    }

    @Test
    void aSyntaxErrorShouldBeTheOneProblem() {
        assertThatThrownBy(() -> SieveCompiler.compile("keep")).isInstanceOfSatisfying(CompileException.class, e ->
                assertThat(e.problems()).containsExactly(
                        new Problem(new Position(1, 5), "expected ';' or '{' after the command 'keep'")));
    }

    @Test
    void requiredCapabilitiesShouldBeKeptWithTheComparatorsEveryScriptHas() throws CompileException {
        CompiledScript script = SieveCompiler.compile("require [\"fileinto\", \"copy\"]; fileinto :copy \"A\";");
        assertThat(script.capabilities()).containsExactlyInAnyOrder("fileinto", "copy", "comparator-i;octet",
                "comparator-i;ascii-casemap");
        assertThat(script.nodes()).hasSize(1);
    }
}
