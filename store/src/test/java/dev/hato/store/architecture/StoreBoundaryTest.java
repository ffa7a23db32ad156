package dev.hato.store.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store's feature boundaries, as far as they are real: the contract is split by feature (mail, directory,
 * queue, audit, keys), only mail reaches into another feature (a delivery is appended and queued in one
 * transaction, so {@code store.mail} names the queue's envelope and recipients), no contract package sees SQL or
 * its implementation, and the store knows nothing of the rest of Hato (the gateway, the web module, the message
 * model): they stand on it, not the other way round.
 */
class StoreBoundaryTest {

    private static final String[] FEATURES = {"mail", "directory", "queue", "audit", "keys"};

    private static JavaClasses store;

    @BeforeAll
    static void importStore() {
        store = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.hato");
    }

    @Test
    void theStoreShouldDependOnNoOtherPartOfHato() {
        classes().that().resideInAPackage("dev.hato.store..")
                .should().onlyDependOnClassesThat(DescribedPredicate.describe(
                        "are outside dev.hato, or in dev.hato.store",
                        type -> !type.getPackageName().startsWith("dev.hato.")
                                || type.getPackageName().startsWith("dev.hato.store")))
                .check(store);
    }

    @Test
    void directoryQueueAuditAndKeysShouldDependOnNoOtherFeatureOfTheStore() {
        for (String feature : new String[] {"directory", "queue", "audit", "keys"}) {
            classes().that().resideInAPackage("dev.hato.store." + feature + "..")
                    .should().onlyDependOnClassesThat(outsideTheStoreOr(feature))
                    .check(store);
        }
    }

    @Test
    void mailShouldDependOnNoFeatureButTheQueue() {
        classes().that().resideInAPackage("dev.hato.store.mail..")
                .should().onlyDependOnClassesThat(outsideTheStoreOr("mail", "queue"))
                .check(store);
    }

    @Test
    void theContractShouldSeeNeitherSqlNorItsImplementation() {
        for (String feature : FEATURES) {
            noClasses().that().resideInAPackage("dev.hato.store." + feature + "..")
                    .should().dependOnClassesThat().resideInAnyPackage("dev.hato.store.pg..", "io.r2dbc..",
                            "org.postgresql..", "org.flywaydb..", "io.zonky..", "java.sql..")
                    .check(store);
        }
    }

    @Test
    void storePackagesShouldBeFreeOfCycles() {
        slices().matching("dev.hato.store.(*)..").should().beFreeOfCycles().check(store);
    }

    /** Types outside the store, or in one of these feature packages of it. */
    private static DescribedPredicate<JavaClass> outsideTheStoreOr(String... features) {
        return DescribedPredicate.describe(
                "are outside dev.hato.store or in dev.hato.store." + String.join(", ", features), type -> {
                    String name = type.getPackageName();
                    if (!name.startsWith("dev.hato.store.") && !name.equals("dev.hato.store")) {
                        return true;
                    }
                    for (String feature : features) {
                        String inside = "dev.hato.store." + feature;
                        if (name.equals(inside) || name.startsWith(inside + ".")) {
                            return true;
                        }
                    }
                    return false;
                });
    }
}
