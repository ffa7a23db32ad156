package dev.hato.store.pg;

import dev.hato.store.Directory;
import dev.hato.store.DirectoryContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

class PgDirectoryTest extends DirectoryContract {

    @TempDir
    static Path data;

    static PgStore store;

    @BeforeAll
    static void openStore() {
        store = PgStore.open(StoreSettings.defaults(data));
    }

    @AfterAll
    static void closeStore() {
        store.close();
    }

    @Override
    protected Directory directory() {
        return store.directory();
    }

    @Test
    void aDomainNameThatIsNotLowerCaseShouldBeRejectedByTheSchema() {
        StepVerifier.create(directory().addDomain("Upper.Example")).verifyError(IllegalArgumentException.class);
    }

    @Test
    void anAuthIdThatIsNotLowerCaseShouldBeRejectedByTheSchema() {
        String domain = freshDomain();
        directory().addDomain(domain).block();

        StepVerifier.create(directory().addAccount(new dev.hato.store.NewAccount("ann@" + domain, "Ann.X", "", null)))
                .verifyError(IllegalArgumentException.class);
    }
}
