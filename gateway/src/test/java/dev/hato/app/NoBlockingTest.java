package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Runs after a session over every listener and checks that BlockHound saw no blocking call on a non-blocking
 * thread (Netty event loops, Reactor's parallel scheduler), here or in any earlier test of this JVM.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class NoBlockingTest {

    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void blockHoundShouldCatchABlockingCallOnAnEventLoop() throws Exception {
        var loop = new io.netty.channel.nio.NioEventLoopGroup(1);
        try {
            Throwable error = loop.submit(() -> {
                try {
                    Thread.sleep(1);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }).get();
            assertThat(error).isInstanceOf(reactor.blockhound.BlockingOperationError.class);
        } finally {
            loop.shutdownGracefully().sync();
            HatoBlockHoundIntegration.BLOCKING_CALLS.clear();
        }
    }

    @Test
    void zServingMailShouldNotBlockAnyEventLoop() throws Exception {
        new MailFlowTest().submissionOverImplicitTlsShouldDeliverAByteIdenticalMessageReadByPop3s();
        new MailFlowTest().plainSmtpShouldDeliverMailFromAnotherServerToALocalAccount();
        assertThat(HatoBlockHoundIntegration.BLOCKING_CALLS).as("blocking calls on non-blocking threads").isEmpty();
    }
}
