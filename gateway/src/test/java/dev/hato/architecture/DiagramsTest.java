package dev.hato.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pictures in docs/architecture.md are rendered from Graphviz sources in docs/diagrams; these tests hold the
 * sources to the code: the module picture to the poms, the gateway picture to the packages' actual dependencies,
 * and every rendered SVG to the current text of its source (scripts/render-diagrams.sh stamps the source's hash).
 */
class DiagramsTest {

    private static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern EDGE = Pattern.compile("\"?([\\w.-]+)\"?\\s*->\\s*\"?([\\w.-]+)\"?");
    private static final Pattern MODULE = Pattern.compile("<module>([\\w-]+)</module>");
    /** A dependency on one of our modules, unless only its tests use it. */
    private static final Pattern OUR_DEPENDENCY = Pattern.compile(
            "<dependency>\\s*<groupId>dev\\.hato</groupId>\\s*<artifactId>hato-([\\w-]+)</artifactId>"
                    + "(?!\\s*<scope>test</scope>)");

    @Test
    void theModulePictureShouldShowExactlyTheDependenciesOfThePoms() throws IOException {
        Set<String> actual = new TreeSet<>();
        for (String module : matches(MODULE, read(PROJECT.resolve("pom.xml")))) {
            for (String dependency : matches(OUR_DEPENDENCY, read(PROJECT.resolve(module).resolve("pom.xml")))) {
                actual.add(module + " -> " + dependency);
            }
        }
        assertThat(edges("modules")).as("edges of docs/diagrams/modules.dot against the poms' dependencies")
                .containsExactlyElementsOf(actual);
    }

    /** The composition root (dev.hato.app) wires everything and is left out of the picture. */
    @Test
    void theGatewayPictureShouldShowExactlyThePackagesDependencies() throws IOException {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.hato");
        Set<String> actual = new TreeSet<>();
        for (JavaClass origin : classes) {
            Optional<String> from = gatewayPart(origin.getPackageName());
            if (from.isEmpty() || from.get().equals("app")) {
                continue;
            }
            for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                Optional<String> to = part(dependency.getTargetClass().getPackageName());
                if (to.isPresent() && !to.equals(from) && !to.get().equals("app")) {
                    actual.add(from.get() + " -> " + to.get());
                }
            }
        }
        assertThat(edges("gateway-packages"))
                .as("edges of docs/diagrams/gateway-packages.dot against the code (actual: %s)", actual)
                .containsExactlyElementsOf(actual);
    }

    @Test
    void everyPictureShouldBeRenderedFromTheCurrentTextOfItsSource() throws IOException {
        try (Stream<Path> sources = Files.list(PROJECT.resolve("docs/diagrams"))) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".dot")).toList()) {
                String name = source.getFileName().toString().replace(".dot", ".svg");
                Path svg = PROJECT.resolve("docs/img").resolve(name);
                assertThat(svg).as("rendered picture of %s (run scripts/render-diagrams.sh)", source).exists();
                assertThat(read(svg)).as("%s rendered from the current %s (run scripts/render-diagrams.sh)",
                                svg.getFileName(), source.getFileName())
                        .contains("<!-- source sha256: " + sha256(Files.readAllBytes(source)) + " -->");
            }
        }
    }

    /** The top-level package of a gateway class (dev.hato.imap.fetch → imap), empty for other modules. */
    private static Optional<String> gatewayPart(String packageName) {
        return part(packageName).filter(p -> !Set.of("store", "message", "sieve", "contacts", "tls", "webflux-ui").contains(p));
    }

    /** The part of Hato a package belongs to: a gateway top-level package, or one of the other modules. */
    private static Optional<String> part(String packageName) {
        if (!packageName.startsWith("dev.hato.")) {
            return Optional.empty();
        }
        String top = packageName.substring("dev.hato.".length()).split("\\.")[0];
        return Optional.of(top.equals("web") ? "webflux-ui" : top);
    }

    private static Set<String> edges(String diagram) throws IOException {
        Set<String> edges = new TreeSet<>();
        for (String line : read(PROJECT.resolve("docs/diagrams/" + diagram + ".dot")).split("\n")) {
            Matcher edge = EDGE.matcher(line.replaceAll("//.*", ""));
            if (edge.find()) {
                edges.add(edge.group(1) + " -> " + edge.group(2));
            }
        }
        return edges;
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> found = new TreeSet<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
