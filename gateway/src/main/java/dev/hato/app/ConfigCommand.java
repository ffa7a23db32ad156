package dev.hato.app;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code hato config show}: the effective settings, as {@code hato serve} would bind them, secrets masked. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Show the configuration.")
final class ConfigCommand {

    /** Settings whose value is never printed: passwords, shared secrets, bearer tokens. */
    private static final Set<String> SECRETS = Set.of("password", "bind-password", "hmac-secret", "bearer-token",
            "learn-password");
    static final String MASK = "********";

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Command(name = "show", description = {
            "Print every hato.* setting with its effective value: the built-in default, ./hato.properties or "
                    + "--config FILE, HATO_* environment variables, in that order of precedence. Secrets (passwords, "
                    + "the token HMAC secret, bearer tokens) are shown as " + MASK + " when set. Starts nothing "
                    + "and needs no database."})
    int show() {
        List<String> lines = new ArrayList<>();
        print("hato", store.properties(), lines);
        lines.forEach(spec.commandLine().getOut()::println);
        return 0;
    }

    private static void print(String prefix, Object settings, List<String> lines) {
        for (RecordComponent component : settings.getClass().getRecordComponents()) {
            String name = prefix + "." + SettingNames.kebab(component.getName());
            Object value;
            try {
                value = component.getAccessor().invoke(settings);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + name, e);
            }
            if (value != null && value.getClass().isRecord()) {
                print(name, value, lines);
            } else if (value instanceof Map<?, ?> map && !map.isEmpty()
                    && map.values().iterator().next().getClass().isRecord()) {
                map.forEach((key, group) -> print(name + "." + key, group, lines));
            } else if (value instanceof List<?> list && !list.isEmpty() && list.get(0).getClass().isRecord()) {
                for (int i = 0; i < list.size(); i++) {
                    print(name + "[" + i + "]", list.get(i), lines);
                }
            } else {
                lines.add(name + " = " + shown(component.getName(), value));
            }
        }
    }

    private static String shown(String component, @Nullable Object value) {
        if (value == null) {
            return "";
        }
        if (SECRETS.contains(SettingNames.kebab(component))) {
            return MASK;
        }
        if (value instanceof Map<?, ?> map) {
            List<String> entries = new ArrayList<>();
            map.forEach((key, entry) -> entries.add(key + "=" + entry));
            return String.join(", ", entries);
        }
        if (value instanceof Collection<?> collection) {
            return String.join(", ", collection.stream().map(String::valueOf).toList());
        }
        if (value instanceof DataSize size) {
            return size(size.toBytes());
        }
        if (value instanceof Duration duration) {
            return duration(duration);
        }
        return withoutPassword(String.valueOf(value));
    }

    /** In the largest unit that is exact, as the settings are written ({@code 50MB}). */
    private static String size(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        int unit = 0;
        long value = bytes;
        while (unit < units.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + units[unit];
    }

    /** In the largest unit that is exact, as the settings are written ({@code 30m}). */
    private static String duration(Duration duration) {
        long millis = duration.toMillis();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (millis != 0 && millis % sizes[i] == 0) {
                return millis / sizes[i] + units[i];
            }
        }
        return millis + "ms";
    }

    /** A URL's password ({@code scheme://user:password@host}) masked: the store URL may carry one. */
    private static String withoutPassword(String value) {
        int scheme = value.indexOf("://");
        int at = value.indexOf('@', Math.max(scheme, 0));
        if (scheme < 0 || at < 0) {
            return value;
        }
        int colon = value.indexOf(':', scheme + 3);
        int slash = value.indexOf('/', scheme + 3);
        if (colon < 0 || colon > at || slash >= 0 && slash < at) {
            return value;
        }
        return value.substring(0, colon + 1) + MASK + value.substring(at);
    }
}
