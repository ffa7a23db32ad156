package dev.hato.store.pg;

import dev.hato.store.directory.Directory;
import dev.hato.store.directory.DirectoryContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

class PgDirectoryTest extends DirectoryContract {

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    @Override
    protected Directory directory() {
        return STORE.store().directory();
    }

    @Test
    void aDomainNameThatIsNotLowerCaseShouldBeRejectedByTheSchema() {
        StepVerifier.create(directory().addDomain("Upper.Example")).verifyError(IllegalArgumentException.class);
    }

    @Test
    void anAuthIdThatIsNotLowerCaseShouldBeRejectedByTheSchema() {
        String domain = freshDomain();
        directory().addDomain(domain).block();

        StepVerifier.create(directory().addAccount(new dev.hato.store.directory.NewAccount(
                        "ann@" + domain, "Ann.X", "", null)))
                .verifyError(IllegalArgumentException.class);
    }
}
