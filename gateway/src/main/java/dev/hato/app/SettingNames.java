package dev.hato.app;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * The names of every {@code hato.*} setting, read from {@link HatoProperties} itself (its record components in
 * kebab case, as Spring Boot binds them), so that a mistyped one can be answered with the closest valid name and
 * docs/configuration.md can be checked against the code. A map of settings groups per name (the LDAP and HTTP
 * sources) appears as {@code <name>}, a list of settings groups (the named TLS certificates) as {@code <index>}; a
 * map or list of plain values is one setting ({@code hato.auth.domains}) whose keys or indexes follow its name.
 */
final class SettingNames {

    /** Stands for the name a map of settings groups is keyed by. */
    static final String NAME = "<name>";

    /** Stands for the index of one element of a list of settings groups ({@code hato.tls.certificates[0]}). */
    static final String INDEX = "<index>";

    private static final List<String> OPEN = new ArrayList<>();
    private static final List<String> ALL = collect("hato", HatoProperties.class, new ArrayList<>());

    private SettingNames() { }

    /** Every setting, in declaration order. */
    static List<String> all() {
        return ALL;
    }

    /**
     * The valid setting closest to {@code unknown} (edit distance over its canonical, kebab-case form), if one is
     * close enough to be what was meant: at most a third of its length away.
     */
    static Optional<String> closest(String unknown) {
        String wanted = unknown.toLowerCase(Locale.ROOT);
        return ALL.stream()
                .map(name -> Map.entry(name, distance(wanted, comparable(name, wanted))))
                .filter(entry -> entry.getValue() <= Math.max(2, entry.getKey().length() / 3))
                .min(Comparator.comparingInt(Map.Entry::getValue))
                .map(Map.Entry::getKey);
    }

    /** {@code name} with its {@code <name>} taken from {@code wanted} where the segment counts allow. */
    private static String comparable(String name, String wanted) {
        String[] pattern = name.split("\\.");
        String[] given = wanted.split("\\.");
        for (int i = 0; i < pattern.length && i < given.length; i++) {
            if (pattern[i].equals(NAME) || pattern[i].equals(INDEX)) {
                pattern[i] = given[i];
            }
        }
        return String.join(".", pattern);
    }

    private static List<String> collect(String prefix, Class<?> type, List<String> names) {
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + kebab(component.getName());
            Type generic = component.getGenericType();
            if (component.getType().isRecord()) {
                collect(name, component.getType(), names);
            } else if (generic instanceof ParameterizedType parameterized && Map.class.isAssignableFrom(
                    component.getType()) && parameterized.getActualTypeArguments()[1] instanceof Class<?> value
                    && value.isRecord()) {
                collect(name + "." + NAME, value, names);
            } else if (generic instanceof ParameterizedType parameterized && List.class.isAssignableFrom(
                    component.getType()) && parameterized.getActualTypeArguments()[0] instanceof Class<?> element
                    && element.isRecord()) {
                collect(name + "." + INDEX, element, names);
            } else {
                names.add(name);
                if (Map.class.isAssignableFrom(component.getType()) || List.class.isAssignableFrom(component.getType())) {
                    OPEN.add(name);
                }
            }
        }
        return List.copyOf(names);
    }

    /**
     * Whether {@code key} (any form Spring Boot binds: kebab case, camel case, {@code [index]}) names a setting: one of
     * {@link #all()}, a {@code <name>} standing for any one element, an {@code <index>} for any one index, or an entry
     * of a map or list setting.
     */
    static boolean known(String key) {
        ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
        for (String setting : ALL) {
            String[] pattern = setting.split("\\.");
            boolean open = OPEN.contains(setting);
            if (name.getNumberOfElements() < pattern.length
                    || name.getNumberOfElements() > pattern.length && !open) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i < pattern.length && matches; i++) {
                matches = pattern[i].equals(NAME) && !name.isNumericIndex(i)
                        || pattern[i].equals(INDEX) && name.isNumericIndex(i)
                        || uniform(pattern[i]).equals(name.getElement(i, ConfigurationPropertyName.Form.UNIFORM));
            }
            if (matches) {
                return true;
            }
        }
        return false;
    }

    /** Spring Boot's uniform form of an element: lower case, without dashes. */
    private static String uniform(String element) {
        return element.replace("-", "").toLowerCase(Locale.ROOT);
    }

    static String kebab(String camel) {
        StringBuilder out = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Levenshtein distance: both strings are setting names, a few dozen characters, so quadratic is fine. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
