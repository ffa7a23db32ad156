package dev.hato.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 §7: the delivery pipeline stands below the protocols. SMTP hands it messages today, and IMAP APPEND,
 * webmail, lists and migration will; none of them may be something it needs, or a step would pull a protocol's
 * session, codec or replies into every other path.
 */
class DeliveryBoundaryTest {

    private static final List<String> PROTOCOLS = List.of("dev.hato.smtp", "dev.hato.imap", "dev.hato.pop3",
            "dev.hato.protocol");

    @Test
    void deliveryShouldImportNoProtocolPackage() {
        JavaClasses hato = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.hato");
        classes().that().resideInAPackage("dev.hato.delivery..")
                .should(notDependOnAProtocolPackage())
                .check(hato);
    }

    private static ArchCondition<JavaClass> notDependOnAProtocolPackage() {
        return new ArchCondition<>("not depend on a protocol package (" + String.join(", ", PROTOCOLS) + ")") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                for (Dependency dependency : type.getDirectDependenciesFromSelf()) {
                    String target = dependency.getTargetClass().getPackageName();
                    boolean protocol = PROTOCOLS.stream()
                            .anyMatch(name -> target.equals(name) || target.startsWith(name + "."));
                    if (protocol && !indexerOnImapFetch(dependency)) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                    }
                }
            }
        };
    }

    /**
     * The one arrow allowed for now: IndexingDeliveryWriter uses the MIME parser in dev.hato.imap.fetch, which
     * issue 12 §1 moves to the message module (branch i12-msg). Remove this exception once it has moved.
     */
    private static boolean indexerOnImapFetch(Dependency dependency) {
        return dependency.getOriginClass().getName().startsWith("dev.hato.delivery.IndexingDeliveryWriter")
                && dependency.getTargetClass().getPackageName().equals("dev.hato.imap.fetch");
    }
}
