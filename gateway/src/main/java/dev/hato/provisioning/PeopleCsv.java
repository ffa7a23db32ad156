package dev.hato.provisioning;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The import file of {@code hato user import}: UTF-8 CSV (RFC 4180) with a header line naming its columns, of
 * {@code address,display_name,auth_id,password} (in any order; only {@code address} is required). Per row: an empty
 * auth ID is issued in the seed's style; an empty password is generated for a new account (an existing one keeps
 * its own); the literal {@code external} means no local password.
 */
public final class PeopleCsv {

    public static final List<String> COLUMNS = List.of("address", "display_name", "auth_id", "password");

    /** The password cell that means "authenticates against LDAP or the portal". */
    public static final String EXTERNAL = "external";

    /** The people of the rows that could be read, and a problem for every row (or header) that could not. */
    public record Parsed(List<Person> people, List<ImportProblem> problems) {
        public Parsed {
            people = List.copyOf(people);
            problems = List.copyOf(problems);
        }
    }

    private PeopleCsv() { }

    /** Reads a file that must be UTF-8 (with or without BOM). */
    public static Parsed read(Path file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (Reader in = new InputStreamReader(Files.newInputStream(file), decoder)) {
            return read(in);
        } catch (CharacterCodingException e) {
            throw new ProvisioningException(file + " is not UTF-8 text: save it as CSV UTF-8");
        }
    }

    public static Parsed read(Reader in) throws IOException {
        return parse(Csv.read(in));
    }

    static Parsed read(String text) {
        try {
            return read(new java.io.StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Parsed parse(Csv.Parsed csv) {
        List<ImportProblem> problems = new ArrayList<>(csv.problems());
        List<Csv.Record> records = csv.records();
        int firstProblem = problems.isEmpty() ? Integer.MAX_VALUE : problems.get(0).line();
        if (records.isEmpty() || firstProblem < records.get(0).line()) {
            // No header, or the header itself is broken: the rows cannot be read without it.
            if (problems.isEmpty()) {
                problems.add(new ImportProblem(1, "no header line: expected " + String.join(",", COLUMNS)));
            }
            return new Parsed(List.of(), sorted(problems));
        }
        Csv.Record header = records.get(0);
        Map<String, Integer> columns = new HashMap<>();
        List<ImportProblem> headerProblems = new ArrayList<>();
        for (int i = 0; i < header.fields().size(); i++) {
            String name = header.fields().get(i).strip().toLowerCase(Locale.ROOT);
            if (!COLUMNS.contains(name)) {
                headerProblems.add(new ImportProblem(header.line(), "unknown column '" + header.fields().get(i)
                        + "' in the header: expected " + String.join(",", COLUMNS)));
            } else if (columns.putIfAbsent(name, i) != null) {
                headerProblems.add(new ImportProblem(header.line(), "column '" + name + "' twice in the header"));
            }
        }
        if (headerProblems.isEmpty() && !columns.containsKey("address")) {
            headerProblems.add(new ImportProblem(header.line(), "no address column in the header: expected "
                    + String.join(",", COLUMNS)));
        }
        if (!headerProblems.isEmpty()) {
            // Without a header the rows cannot be read at all.
            problems.addAll(headerProblems);
            return new Parsed(List.of(), sorted(problems));
        }
        List<Person> people = new ArrayList<>();
        for (Csv.Record record : records.subList(1, records.size())) {
            List<String> fields = record.fields();
            if (fields.size() != header.fields().size()) {
                problems.add(new ImportProblem(record.line(), "expected " + header.fields().size() + " fields, found "
                        + fields.size() + " (quote a field that contains a comma)"));
                continue;
            }
            String address = cell(fields, columns, "address");
            String authId = cell(fields, columns, "auth_id");
            String password = cell(fields, columns, "password");
            people.add(new Person(record.line(), address == null ? "" : address,
                    cell(fields, columns, "display_name"),
                    authId == null || authId.isBlank() ? null : authId,
                    password == null || password.isEmpty() ? Person.Password.GENERATE
                            : password.equals(EXTERNAL) ? Person.Password.EXTERNAL
                            : Person.Password.given(password)));
        }
        return new Parsed(people, sorted(problems));
    }

    private static @Nullable String cell(List<String> fields, Map<String, Integer> columns, String column) {
        Integer index = columns.get(column);
        return index == null ? null : fields.get(index);
    }

    private static List<ImportProblem> sorted(List<ImportProblem> problems) {
        List<ImportProblem> copy = new ArrayList<>(problems);
        copy.sort(java.util.Comparator.comparingInt(ImportProblem::line));
        return copy;
    }
}
