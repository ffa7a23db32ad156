package dev.hato.web.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.sieve.Action;
import dev.hato.sieve.Budget;
import dev.hato.sieve.HeaderMessage;
import dev.hato.sieve.Outcome;
import dev.hato.sieve.SieveCompiler;
import dev.hato.sieve.SieveInterpreter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the filter form writes, run by the real engine, and read back. */
class FilterSettingsTest {

    private static final FilterSettings SETTINGS = new FilterSettings(List.of(
            new FilterSettings.Rule("subject", "contains", "say \"hi\" \\ [ml]", "fileinto", "Lists/日本語"),
            new FilterSettings.Rule("from", "is", "boss@uni.example", "flag", ""),
            new FilterSettings.Rule("to", "matches", "*@lab.uni.example", "redirect", "lab@elsewhere.example"),
            new FilterSettings.Rule("list-id", "contains", "spam.example", "discard", "")),
            new FilterSettings.Vacation(true, LocalDate.of(2026, 12, 24), LocalDate.of(2027, 1, 4),
                    "Away \"now\"", "Line one\nline \\ two\n不在です"),
            new FilterSettings.Forward("me@elsewhere.example", true));

    private static List<Action> run(FilterSettings settings, String message, Instant now) throws Exception {
        byte[] octets = message.getBytes(StandardCharsets.UTF_8);
        Outcome outcome = new SieveInterpreter("+", Clock.fixed(now, ZoneOffset.UTC)).evaluate(
                SieveCompiler.compile(settings.toSieve()), HeaderMessage.of(octets, octets.length,
                        "sender@example.org", "bob@uni.example"), name -> false, Budget.generous());
        assertThat(outcome.failed()).as(String.valueOf(outcome.failure())).isFalse();
        return outcome.actions();
    }

    @Test
    void theScriptShouldCompileAndReadBackAsTheSameSettings() throws Exception {
        String script = SETTINGS.toSieve();

        SieveCompiler.compile(script);
        assertThat(FilterSettings.parse(script)).contains(SETTINGS);
        assertThat(FilterSettings.parse(FilterSettings.none().toSieve())).contains(FilterSettings.none());
        // Changed as text: no longer the form's.
        assertThat(FilterSettings.parse(script + "discard;\n")).isEmpty();
        assertThat(FilterSettings.parse("keep;\n")).isEmpty();
    }

    @Test
    void theRulesShouldDoWhatTheFormSaysInsideAndOutsideTheVacation() throws Exception {
        Instant during = Instant.parse("2026-12-25T10:00:00Z");
        Instant after = Instant.parse("2027-01-10T10:00:00Z");

        assertThat(run(SETTINGS, "From: a@example.org\r\nTo: bob@uni.example\r\nSubject: x say \"hi\" \\ [ml] y\r\n"
                + "\r\nbody", after)).containsExactlyInAnyOrder(new Action.Redirect("me@elsewhere.example"),
                new Action.FileInto("Lists/日本語", List.of(), true));
        assertThat(run(SETTINGS, "From: Boss <BOSS@uni.example>\r\nTo: bob@uni.example\r\nSubject: s\r\n\r\nb",
                after)).containsExactlyInAnyOrder(new Action.Redirect("me@elsewhere.example"),
                new Action.Keep(List.of("\\Flagged")));
        assertThat(run(SETTINGS, "From: a@example.org\r\nCc: all@lab.uni.example\r\nSubject: s\r\n\r\nb", after))
                .containsExactlyInAnyOrder(new Action.Redirect("me@elsewhere.example"),
                        new Action.Redirect("lab@elsewhere.example"));
        assertThat(run(SETTINGS, "From: a@example.org\r\nList-Id: <x.spam.example>\r\nSubject: s\r\n\r\nb", after))
                // discard cancels the keep; the forwarded copy still goes
                .containsExactly(new Action.Redirect("me@elsewhere.example"));
        assertThat(run(SETTINGS, "From: a@example.org\r\nTo: bob@uni.example\r\nSubject: s\r\n\r\nb", during))
                .anySatisfy(action -> assertThat(action).isInstanceOfSatisfying(Action.Vacation.class,
                        vacation -> {
                            assertThat(vacation.subject()).isEqualTo("Away \"now\"");
                            assertThat(vacation.reason()).isEqualTo("Line one\r\nline \\ two\r\n不在です");
                        }));
    }

    @Test
    void forwardingWithoutACopyShouldEndTheRules() throws Exception {
        FilterSettings away = new FilterSettings(SETTINGS.rules(), FilterSettings.Vacation.OFF,
                new FilterSettings.Forward("me@elsewhere.example", false));

        assertThat(run(away, "From: a@example.org\r\nSubject: [ml] say \"hi\" \\ [ml]\r\n\r\nb",
                Instant.parse("2027-01-10T10:00:00Z"))).containsExactly(new Action.Redirect("me@elsewhere.example"));
    }

    @Test
    void settingsTheFormCannotWriteShouldBeRefused() {
        assertThatThrownBy(() -> new FilterSettings.Rule("body", "contains", "x", "discard", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FilterSettings.Rule("subject", "contains", "x", "redirect", "not an address"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FilterSettings.Rule("subject", "contains", "x", "fileinto", " "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FilterSettings.Vacation(true, null, null, "", " "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FilterSettings.Vacation(true, LocalDate.of(2027, 1, 2), LocalDate.of(2027, 1, 1),
                "", "away")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FilterSettings.Forward("a\"b@example.org", true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
