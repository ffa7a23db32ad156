package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoreSettingsTest {

    private final StoreSettings defaults = StoreSettings.defaults(Path.of("hato-data"));

    @Test
    void defaultsShouldUseTheEmbeddedServerOnAFreePortWithSmallBatches() {
        assertThat(defaults.embedded()).isTrue();
        assertThat(defaults.url()).isNull();
        assertThat(defaults.embeddedPort()).isZero();
        assertThat(defaults.poolSize()).isEqualTo(10);
        assertThat(defaults.batchWindow()).isEqualTo(Duration.ofMillis(2));
        assertThat(defaults.batchSize()).isEqualTo(64);
        assertThat(defaults.embeddedDataDirectory()).isEqualTo(Path.of("hato-data", "postgres"));
    }

    @Test
    void withCopiesShouldChangeOneValueAndLeaveTheOriginalAlone() {
        StoreSettings changed = defaults.withUrl("r2dbc:postgresql://db/hato").withUsername("hato")
                .withPassword("pw").withPoolSize(20).withBatchSize(128).withBatchWindow(Duration.ZERO)
                .withEmbeddedPort(5433).withDataDirectory(Path.of("elsewhere"));

        assertThat(changed).isEqualTo(new StoreSettings(Path.of("elsewhere"), "r2dbc:postgresql://db/hato", "hato", "pw",
                5433, 20, Duration.ZERO, 128));
        assertThat(changed.embedded()).isFalse();
        assertThat(defaults.url()).isNull();
    }

    @Test
    void aBlankUrlShouldMeanTheEmbeddedServer() {
        assertThat(defaults.withUrl("  ").embedded()).isTrue();
    }

    @Test
    void settingsThatCannotWorkShouldBeRejectedWhenMade() {
        assertThatThrownBy(() -> defaults.withUrl("jdbc:postgresql://db/hato"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("r2dbc:postgresql://");
        assertThatThrownBy(() -> defaults.withEmbeddedPort(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withEmbeddedPort(65_536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withPoolSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withBatchSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withBatchWindow(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withBatchWindow(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchWindow");
        assertThatThrownBy(() -> defaults.withDataDirectory(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void toStringShouldNeverShowAPassword() {
        String shown = defaults.withUrl("r2dbc:postgresql://hato:url-secret@db:5432/hato?password=query-secret")
                .withPassword("setting-secret").toString();

        assertThat(shown).doesNotContain("secret").contains("r2dbc:postgresql://db:5432/hato");
    }

    @Test
    void anExternalUrlShouldGiveFlywayTheSameServer() {
        ServerAddress address = ServerAddress.external(defaults
                .withUrl("r2dbc:postgresql://mail@db.example:6543/hato?sslMode=verify-full").withPassword("pw"));

        assertThat(address.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/hato?ApplicationName=hato"
                + "&sslmode=verify-full");
        assertThat(address.username()).isEqualTo("mail");
        assertThat(address.password()).isEqualTo("pw");
        assertThat(address.description()).isEqualTo("PostgreSQL at r2dbc:postgresql://db.example:6543/hato?sslMode=verify-full");
    }

    @Test
    void anExternalUrlWithoutUserShouldTakeTheConfiguredOne() {
        ServerAddress address = ServerAddress.external(defaults.withUrl("r2dbc:postgresql://db/hato").withUsername("u"));

        assertThat(address.username()).isEqualTo("u");
        assertThat(address.port()).isEqualTo(5432);
        assertThatThrownBy(() -> ServerAddress.external(defaults.withUrl("r2dbc:postgresql://db/hato")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user");
    }
}
