package dev.hato.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.smtp.command.SmtpCommand;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SmtpDispatchTest {

    @Test
    @SuppressWarnings("unchecked")
    void everyKindOfCommandTheParserCanProduceShouldHaveAHandler() {
        assertThat(Arrays.stream(SmtpCommand.class.getPermittedSubclasses())
                .map(type -> (Class<? extends SmtpCommand>) type)
                .filter(type -> !SmtpDispatch.TABLE.handles(type)))
                .isEmpty();
        assertThat(SmtpCommand.class.getPermittedSubclasses()).hasSizeGreaterThan(15);
    }
}
