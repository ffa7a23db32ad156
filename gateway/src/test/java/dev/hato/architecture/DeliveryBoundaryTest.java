package dev.hato.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 §7: the delivery pipeline stands below the protocols. SMTP and IMAP APPEND hand it messages today, and
 * webmail, lists and migration will; none of them may be something it needs, or a step would pull a protocol's
 * session, codec or replies into every other path. What delivery learns of a message (its IMAP facts) it learns
 * through {@link dev.hato.store.mail.FactsReader}, an interface of the store that the composition root fills in.
 */
class DeliveryBoundaryTest {

    @Test
    void deliveryShouldImportNoProtocolPackage() {
        JavaClasses hato = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.hato");
        noClasses().that().resideInAPackage("dev.hato.delivery..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hato.smtp..", "dev.hato.imap..",
                        "dev.hato.pop3..", "dev.hato.protocol..")
                .check(hato);
    }
}
