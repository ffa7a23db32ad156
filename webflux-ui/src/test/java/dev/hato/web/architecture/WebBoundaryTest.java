package dev.hato.web.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The web module stands on the store, the message model and the vCard model ({@code contacts}), never on the
 * gateway: webmail and the admin pages must work against the same contracts the protocols use, and the gateway
 * (protocols, edge, composition root) depends on the web module, not the other way round. Maven already keeps the
 * gateway off this module's class path; this rule also keeps a future dependency from slipping in through a shared
 * package name.
 */
class WebBoundaryTest {

    @Test
    void webClassesShouldUseOnlyTheStoreAndTheMessageAndVcardModelsOfHato() {
        JavaClasses web = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.hato.web");
        classes().that().resideInAPackage("dev.hato.web..")
                .should().onlyDependOnClassesThat(DescribedPredicate.describe(
                        "are outside dev.hato, or in dev.hato.web, .store, .message or .contacts",
                        type -> !type.getPackageName().startsWith("dev.hato.")
                                || type.getPackageName().startsWith("dev.hato.web")
                                || type.getPackageName().startsWith("dev.hato.store")
                                || type.getPackageName().startsWith("dev.hato.message")
                                || type.getPackageName().startsWith("dev.hato.contacts")))
                .check(web);
    }
}
