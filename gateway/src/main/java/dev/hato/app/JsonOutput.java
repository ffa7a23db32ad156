package dev.hato.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --json} of the list commands: the rows as one JSON array of objects on standard output, for scripts (field
 * names in snake case; times as ISO-8601 strings; absent values as null).
 */
final class JsonOutput {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonOutput() { }

    /** One row: the fields in the order given, as name, value, name, value… */
    static Map<String, Object> row(Object... namesAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object value = namesAndValues[i + 1];
            row.put((String) namesAndValues[i], value instanceof java.time.temporal.Temporal ? value.toString() : value);
        }
        return row;
    }

    static void print(PrintWriter out, List<Map<String, Object>> rows) {
        try {
            out.println(JSON.writeValueAsString(rows));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("rows that are not JSON", e);
        }
    }
}
