package dev.hato.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** STYLE.md §1 and §5: protocol cores are plain Java over Reactor types; only the edge sees Netty. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.hato");
    }

    @Test
    void protocolPackagesShouldNotDependOnNettyReactorNettyOrSpring() {
        noClasses().that().resideInAnyPackage("dev.hato.smtp..", "dev.hato.pop3..", "dev.hato.imap..",
                        "dev.hato.managesieve..",
                        "dev.hato.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "reactor.netty..",
                        "org.springframework..")
                .check(classes);
    }

    @Test
    void capabilityPackagesShouldNotDependOnTheEdgeOrSpring() {
        noClasses().that().resideInAnyPackage("dev.hato.auth..", "dev.hato.delivery..", "dev.hato.dsn..",
                        "dev.hato.provisioning..", "dev.hato.dkim..", "dev.hato.maillog..", "dev.hato.inbound")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hato.edge..", "dev.hato.app..",
                        "io.netty..", "reactor.netty..", "org.springframework..")
                .check(classes);
    }

    @Test
    void outboundCoreAndClientShouldLeaveTheNetworkToTheirTransport() {
        noClasses().that().resideInAnyPackage("dev.hato.outbound", "dev.hato.outbound.client")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "reactor.netty..",
                        "org.springframework..", "dev.hato.outbound.transport..", "dev.hato.edge..")
                .check(classes);
    }

    @Test
    void theOutboundTransportShouldNotDependOnSpringOrTheServerEdge() {
        noClasses().that().resideInAPackage("dev.hato.outbound.transport..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "dev.hato.edge..")
                .check(classes);
    }

    @Test
    void inboundAuthenticationShouldLeaveDnsToItsTransport() {
        noClasses().that().resideInAPackage("dev.hato.inbound.transport..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "dev.hato.edge..",
                        "dev.hato.smtp..", "dev.hato.app..")
                .check(classes);
    }

    @Test
    void onlyTheStoreImplementationShouldUseR2dbc() {
        noClasses().that().resideOutsideOfPackage("dev.hato.store.pg..")
                .should().dependOnClassesThat().resideInAnyPackage("io.r2dbc..", "io.zonky..", "org.flywaydb..")
                .check(classes);
    }

    @Test
    void nothingButTheCompositionRootShouldDependOnIt() {
        noClasses().that().resideOutsideOfPackage("dev.hato.app..")
                .should().dependOnClassesThat().resideInAPackage("dev.hato.app..")
                .check(classes);
    }
}
