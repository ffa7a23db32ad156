package dev.hato.app;

import dev.hato.web.status.StatusReport;
import java.io.PrintStream;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/** Prints where Hato listens once everything is up, so a first run tells the operator what to connect to. */
final class StartupBanner implements ApplicationListener<ApplicationReadyEvent> {

    private final GatewayStatus status;
    private final PrintStream out;

    StartupBanner(GatewayStatus status, PrintStream out) {
        this.status = status;
        this.out = out;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        String httpPort = event.getApplicationContext().getEnvironment().getProperty("local.server.port", "?");
        String httpHost = event.getApplicationContext().getEnvironment().getProperty("server.address", "127.0.0.1");
        StatusReport report = status.report().block();
        StringBuilder banner = new StringBuilder()
                .append("Hato ").append(GatewayStatus.VERSION).append(" is running for ")
                .append(report == null ? "?" : report.hostName()).append('\n');
        if (report != null) {
            banner.append("  store  ").append(report.store()).append('\n')
                    .append("  tls    ").append(report.tls()).append('\n');
            for (StatusReport.Listener listener : report.listeners()) {
                banner.append(String.format("  %-12s %-22s %s%n", listener.name(), listener.address(),
                        listener.security()));
            }
        }
        banner.append(String.format("  %-12s %-22s %s%n", "http", httpHost + ":" + httpPort,
                "up or down, autoconfig, redirects to https"));
        String managementPort = event.getApplicationContext().getEnvironment().getProperty("local.management.port");
        if (managementPort != null) {
            String managementHost = event.getApplicationContext().getEnvironment()
                    .getProperty("management.server.address", "127.0.0.1");
            banner.append(String.format("  %-12s %-22s %s%n", "management", managementHost + ":" + managementPort,
                    "status page, health details, metrics"));
        }
        banner.append("Stop with Ctrl-C.");
        out.println(banner);
        out.flush();
    }
}
