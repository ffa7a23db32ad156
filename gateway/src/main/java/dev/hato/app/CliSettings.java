package dev.hato.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.IgnoreTopLevelConverterNotFoundBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.FileUrlResource;
import org.springframework.core.io.Resource;
import org.springframework.util.StringUtils;

/**
 * The settings of an administrative command, bound as {@code hato serve} binds them but without an application
 * context: starting one (bean definitions, auto-configuration, the logging system) cost every command a few seconds
 * of CPU before it did anything. The property sources are the server's, in the server's order: the command-line
 * arguments ({@link CliContext#arguments}), Java system properties, {@code HATO_*} environment variables, the
 * {@code --config} file(s), {@code ./hato.properties} (the built-in {@code spring.config.import}), the built-in
 * {@code application.properties}. The checks are the server's too: {@link StrictSettings} refuses unknown keys, the
 * {@link Binder} values that do not fit, each naming the key and where it came from.
 *
 * <p>Those files are read directly (Spring Boot's properties loader, so origins and names are the same). Anything
 * that Spring Boot's config-data processing would treat otherwise (a {@code spring.config.*} or
 * {@code spring.profiles.*} setting anywhere, an {@code application.*} file or {@code config/} folder in the working
 * directory, a multi-document file, a missing {@code --config} file) is handed to that processor itself
 * ({@link ConfigDataEnvironmentPostProcessor}): slower by a few hundred milliseconds, exact by construction.
 * StrictSettingsTest compares both with an application context.
 */
final class CliSettings {

    private static final String ADDITIONAL_LOCATION = "spring.config.additional-location";
    private static final String CLASSPATH_DEFAULTS = "application.properties";
    private static final String BUILT_IN_IMPORT = "optional:file:./hato.properties";
    private static final String WORKING_DIRECTORY_FILE = "hato.properties";

    private CliSettings() { }

    /** Binds {@code hato.*} from {@code arguments} (as {@link CliContext#arguments} makes them) and the files. */
    static HatoProperties bind(String... arguments) {
        quietLogging();
        StandardEnvironment environment = new StandardEnvironment();
        SimpleCommandLinePropertySource commandLine = new SimpleCommandLinePropertySource(arguments);
        environment.getPropertySources().addFirst(commandLine);
        Optional<List<PropertySource<?>>> files = directly(environment, commandLine);
        if (files.isPresent()) {
            files.get().forEach(environment.getPropertySources()::addLast);
        } else {
            ConfigDataEnvironmentPostProcessor.applyTo(environment);
        }
        return bind(environment);
    }

    /** As {@link #bind(String...)}, always through Spring Boot's config-data processor: what the fast path equals. */
    static HatoProperties bindThroughConfigData(String... arguments) {
        quietLogging();
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(arguments));
        ConfigDataEnvironmentPostProcessor.applyTo(environment);
        return bind(environment);
    }

    /** Whether {@link #bind(String...)} reads the files itself for these arguments (else Spring Boot does). */
    static boolean readsFilesDirectly(String... arguments) {
        StandardEnvironment environment = new StandardEnvironment();
        SimpleCommandLinePropertySource commandLine = new SimpleCommandLinePropertySource(arguments);
        environment.getPropertySources().addFirst(commandLine);
        return directly(environment, commandLine).isPresent();
    }

    private static HatoProperties bind(StandardEnvironment environment) {
        StrictSettings.check(environment);
        ConfigurationPropertySources.attach(environment);
        return Binder.get(environment, new IgnoreTopLevelConverterNotFoundBindHandler())
                .bindOrCreate("hato", Bindable.of(HatoProperties.class));
    }

    /**
     * The configuration files as Spring Boot would add them, highest precedence first; empty when the case is one
     * for Spring Boot's own processing (see the class comment).
     */
    private static Optional<List<PropertySource<?>>> directly(StandardEnvironment environment,
                                                              SimpleCommandLinePropertySource commandLine) {
        MutablePropertySources sources = environment.getPropertySources();
        for (PropertySource<?> source : sources) {
            if (source instanceof EnumerablePropertySource<?> enumerable
                    && steersConfigData(enumerable, source == commandLine)) {
                return Optional.empty();
            }
        }
        if (springBootWouldFindMore()) {
            return Optional.empty();
        }
        List<PropertySource<?>> files = new ArrayList<>();
        String additional = commandLine.getProperty(ADDITIONAL_LOCATION);
        if (additional != null) {
            List<String> locations = List.of(additional.split(","));
            for (int i = locations.size() - 1; i >= 0; i--) { // a later location overrides an earlier one
                String location = locations.get(i).strip();
                boolean optional = location.startsWith("optional:");
                String path = optional ? location.substring("optional:".length()) : location;
                if (!path.startsWith("file:") || path.endsWith("/")) {
                    return Optional.empty();
                }
                Path file = Path.of(path.substring("file:".length()));
                if (Files.isDirectory(file) || !optional && !Files.isRegularFile(file)) {
                    return Optional.empty();
                }
                if (Files.isRegularFile(file) && !load(fileResource(path), location, files)) {
                    return Optional.empty();
                }
            }
        }
        List<PropertySource<?>> defaults = new ArrayList<>();
        if (!load(new ClassPathResource(CLASSPATH_DEFAULTS), "optional:classpath:/", defaults)
                || defaults.size() != 1
                || !BUILT_IN_IMPORT.equals(defaults.get(0).getProperty("spring.config.import"))) {
            return Optional.empty();
        }
        Path local = Path.of(WORKING_DIRECTORY_FILE);
        if (Files.isRegularFile(local) && !load(fileResource("file:./" + WORKING_DIRECTORY_FILE), BUILT_IN_IMPORT,
                files)) {
            return Optional.empty();
        }
        files.addAll(defaults);
        return Optional.of(files);
    }

    /**
     * Loads one file as Spring Boot's config data names it; false when it is one Spring Boot would treat
     * otherwise (several documents, or settings that steer the config-data processing).
     */
    private static boolean load(Resource resource, String location, List<PropertySource<?>> into) {
        String name;
        try {
            name = "Config resource '" + (resource instanceof FileUrlResource file ? "file [" + file.getFile() + "]"
                    : resource.toString()) + "' via location '" + location + "'";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        List<PropertySource<?>> loaded;
        try {
            loaded = new PropertiesPropertySourceLoader().load(name, resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        if (loaded.size() > 1) {
            return false;
        }
        for (PropertySource<?> source : loaded) {
            if (source instanceof EnumerablePropertySource<?> enumerable
                    && steersConfigData(enumerable, resource instanceof ClassPathResource)) {
                return false;
            }
        }
        into.addAll(loaded);
        return true;
    }

    /** The resource Spring Boot's config data makes of a {@code file:} location: its origins name it so. */
    private static Resource fileResource(String location) {
        String path = StringUtils.cleanPath(location.substring("file:".length()));
        return new DefaultResourceLoader().getResource("file:" + path);
    }

    /**
     * Whether {@code source} holds a setting that changes which files Spring Boot reads ({@code spring.config.*},
     * {@code spring.profiles.*}); {@code own} allows the one Hato itself sets there (the additional location on the
     * command line, the import in the built-in defaults).
     */
    private static boolean steersConfigData(EnumerablePropertySource<?> source, boolean own) {
        for (String key : source.getPropertyNames()) {
            String canonical = key.toLowerCase(Locale.ROOT).replace('_', '.');
            if (!canonical.startsWith("spring.config.") && !canonical.startsWith("spring.profiles.")) {
                continue;
            }
            boolean ours = own && (canonical.equals(ADDITIONAL_LOCATION) || canonical.equals("spring.config.import")
                    && BUILT_IN_IMPORT.equals(String.valueOf(source.getProperty(key))));
            if (!ours) {
                return true;
            }
        }
        return false;
    }

    /** Spring Boot also looks for application.* files in the working directory and in ./config. */
    private static boolean springBootWouldFindMore() {
        if (Files.isDirectory(Path.of("config"))) {
            return true;
        }
        try (var entries = Files.list(Path.of(""))) {
            return entries.anyMatch(entry -> entry.getFileName().toString().startsWith("application"));
        } catch (IOException e) {
            return true;
        }
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
