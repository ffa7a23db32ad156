package dev.hato.message.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The message model stands on nothing of Hato's: the protocols, delivery, the store and the web module all use it,
 * so it may not use any of them. Maven keeps them off this module's class path; this rule also catches a class
 * that slips into another Hato package by name, or a future dependency added to the pom.
 */
class MessageBoundaryTest {

    @Test
    void messageClassesShouldDependOnNoOtherHatoPackage() {
        JavaClasses message = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.hato.message");
        classes().that().resideInAPackage("dev.hato.message..")
                .should().onlyDependOnClassesThat(DescribedPredicate.describe(
                        "are outside dev.hato, or in dev.hato.message",
                        type -> !type.getPackageName().startsWith("dev.hato.")
                                || type.getPackageName().equals("dev.hato.message")
                                || type.getPackageName().startsWith("dev.hato.message.")))
                .check(message);
    }
}
