package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.junit.jupiter.api.Test;

/**
 * BlockHound itself: it catches a blocking call on an event loop and records it (so that {@link BlockingCallCheck}
 * fails the class it happens in), and a session over every listener records none.
 */
class NoBlockingTest {

    private static final String SELF_TEST_THREADS = "blockhound-self-test";

    @Test
    void blockHoundShouldCatchAndRecordABlockingCallOnAnEventLoop() throws Exception {
        var loop = new NioEventLoopGroup(1, new DefaultThreadFactory(SELF_TEST_THREADS));
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
            assertThat(HatoBlockHoundIntegration.BLOCKING_CALLS)
                    .anySatisfy(call -> assertThat(call).startsWith(SELF_TEST_THREADS).contains("sleep"));
        } finally {
            loop.shutdownGracefully().sync();
            // only this test's own call: one recorded by any other thread still fails the class
            HatoBlockHoundIntegration.BLOCKING_CALLS.removeIf(call -> call.startsWith(SELF_TEST_THREADS));
        }
    }

    @Test
    void servingMailShouldNotBlockAnyEventLoop() throws Exception {
        RunningHato.shared();
        new MailFlowTest().submissionOverImplicitTlsShouldDeliverAByteIdenticalMessageReadByPop3s();
        new MailFlowTest().plainSmtpShouldDeliverMailFromAnotherServerToALocalAccount();
        assertThat(HatoBlockHoundIntegration.BLOCKING_CALLS).as("blocking calls on non-blocking threads").isEmpty();
    }
}
