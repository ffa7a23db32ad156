package dev.hato.sieve.match;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.sieve.Budget;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cases of {@code match/oracle-cases.tsv}: each checked against Pigeonhole's sieve-test
 * ({@code benchmarks/scripts/sieve-match-oracle.sh}), or, on rows marked "differs", Hato's intended answer (the file's
 * header says why).
 */
class OracleCasesTest {

    static Stream<List<String>> cases() throws IOException {
        List<List<String>> rows = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                Objects.requireNonNull(OracleCasesTest.class.getResourceAsStream("/match/oracle-cases.tsv")),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    rows.add(Arrays.asList(line.split("\t", -1)));
                }
            }
        }
        return rows.stream();
    }

    /** What Hato answers for a row, in the file's columns: "match" and the captures, or "no-match". */
    static List<String> answer(String comparatorName, String match, String key, String value) {
        Comparator comparator = Comparator.named(comparatorName).orElseThrow();
        Budget budget = Budget.generous();
        boolean result;
        switch (match) {
            case "is" -> result = comparator.equal(value, key, budget);
            case "contains" -> result = comparator.contains(value, key, budget);
            case "matches" -> {
                List<String> captures = Glob.compile(key, comparator).match(value, budget);
                if (captures == null) {
                    return List.of("no-match");
                }
                List<String> out = new ArrayList<>(List.of("match"));
                out.addAll(captures);
                return out;
            }
            default -> {
                Relation relation = Relation.named(match.substring("value-".length())).orElseThrow();
                result = relation.holds(comparator.compare(value, key, budget));
            }
        }
        return List.of(result ? "match" : "no-match");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hatoShouldAnswerAsTheOracleOrAsDocumented(List<String> row) {
        assertThat(answer(row.get(1), row.get(2), row.get(3), row.get(4))).isEqualTo(row.subList(5, row.size()));
    }
}
