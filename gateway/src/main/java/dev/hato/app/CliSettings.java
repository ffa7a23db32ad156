package dev.hato.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.IgnoreTopLevelConverterNotFoundBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The settings of an administrative command, bound as {@code hato serve} binds them but without an application
 * context: starting one (bean definitions, auto-configuration, logging system) cost an administrative command a
 * few seconds of CPU before it did anything. The property sources are the same and in the same order, because they
 * are built by the same Spring Boot code: the command-line arguments ({@link CliContext#arguments}), Java system
 * properties, {@code HATO_*} environment variables, then the configuration files Spring Boot's config-data processor
 * finds ({@code --config FILE}, {@code ./hato.properties} through the built-in {@code spring.config.import}, the
 * built-in {@code application.properties}). The checks are the same too: {@link StrictSettings} refuses unknown keys,
 * the {@link Binder} refuses values that do not fit, each naming the key.
 */
final class CliSettings {

    private CliSettings() { }

    /** Binds {@code hato.*} from {@code arguments} (as {@link CliContext#arguments} makes them) and the sources above. */
    static HatoProperties bind(String... arguments) {
        quietLogging();
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(arguments));
        ConfigDataEnvironmentPostProcessor.applyTo(environment);
        StrictSettings.check(environment);
        ConfigurationPropertySources.attach(environment);
        return Binder.get(environment, new IgnoreTopLevelConverterNotFoundBindHandler())
                .bindOrCreate("hato", Bindable.of(HatoProperties.class));
    }

    /**
     * Warnings and errors only, as the application context of the CLI had them ({@code logging.level.root=WARN}):
     * a command's output is its answer, not the store's start-up story.
     */
    private static void quietLogging() {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }
}
