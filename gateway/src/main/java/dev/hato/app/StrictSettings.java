package dev.hato.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Strict configuration: before anything starts, every {@code hato.*} key of a properties file ({@code hato.properties},
 * {@code --config FILE}) and of the command line ({@code --hato.x=y}) must name a setting ({@link SettingNames});
 * otherwise start-up stops with a message naming the key, where it came from, and the closest valid one. A mistyped
 * setting would otherwise be ignored and its default kept. {@code HATO_*} environment variables and Java system
 * properties are not checked: the environment holds other programs' {@code HATO_} variables too (the launcher's
 * {@code HATO_JAVA_OPTS}, the scripts' {@code HATO_JAR}), and Spring Boot cannot tell an unknown one from a typo.
 * Values are checked when they are bound ({@link HatoProperties}).
 */
final class StrictSettings implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        check(context.getEnvironment());
    }

    /** Throws IllegalArgumentException naming every unknown {@code hato.*} key of a file or the command line. */
    static void check(ConfigurableEnvironment environment) {
        List<String> unknown = new ArrayList<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (!(source instanceof EnumerablePropertySource<?> enumerable) || unchecked(source.getName())) {
                continue;
            }
            for (String key : enumerable.getPropertyNames()) {
                if (key.toLowerCase(Locale.ROOT).startsWith("hato.") && !SettingNames.known(key)) {
                    unknown.add("unknown setting " + key + " (" + source.getName() + ")" + SettingNames.closest(key)
                            .map(closest -> "; did you mean " + closest + "?").orElse(""));
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(String.join("\nhato: ", unknown));
        }
    }

    private static boolean unchecked(String source) {
        return source.equals(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)
                || source.equals(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME)
                || source.equals("configurationProperties"); // Spring Boot's view of all the others
    }
}
