package dev.hato.sieve.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The engine is plain Java on the message model (ADR 0011): delivery, ManageSieve and the webmail all use it, so it
 * uses none of them and no framework; and matching ({@code match}) uses no {@code java.util.regex}, whose
 * backtracking the author of a message could make take minutes: it has its own linear matcher.
 */
class SieveBoundaryTest {

    private static final JavaClasses SIEVE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.hato.sieve");

    @Test
    void sieveClassesShouldDependOnTheMessageModelOnly() {
        classes().that().resideInAPackage("dev.hato.sieve..")
                .should().onlyDependOnClassesThat(DescribedPredicate.describe(
                        "are in java, org.jspecify, dev.hato.sieve or dev.hato.message",
                        type -> type.getPackageName().startsWith("java.")
                                || type.getPackageName().startsWith("org.jspecify")
                                || type.getPackageName().startsWith("dev.hato.sieve")
                                || type.getPackageName().startsWith("dev.hato.message")
                                || type.isPrimitive() || type.isArray()))
                .check(SIEVE);
    }

    @Test
    void matchingShouldNotUseRegularExpressions() {
        noClasses().that().resideInAPackage("dev.hato.sieve.match..")
                .should().dependOnClassesThat().resideInAPackage("java.util.regex..")
                .check(SIEVE);
    }
}
