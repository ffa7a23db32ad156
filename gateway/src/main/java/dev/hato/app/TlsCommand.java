package dev.hato.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code hato tls reload}: makes the running server read its certificate files now (after a renewal: certbot's
 * deploy hook) and prints what it serves. The server is asked over its management listener
 * ({@code POST /tls/reload} on {@code hato.management-address}:{@code hato.ports.management}), the one channel an
 * operator's command already has to the running process; this command needs neither the database nor Spring
 * beyond reading the settings.
 */
@Command(name = "tls", mixinStandardHelpOptions = true, description = "TLS certificates of the running server.",
        subcommands = TlsCommand.Reload.class)
final class TlsCommand {

    /** How long to wait for the server: reading and checking a few PEM files takes milliseconds. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Command(name = "reload", mixinStandardHelpOptions = true, description = {
            "Make the running server read hato.tls.certificate, hato.tls.private-key and every "
                    + "hato.tls.certificates[N] again, now, and serve the ones that changed and are valid to new "
                    + "connections (open connections keep theirs). Prints one line per certificate: loaded, "
                    + "unchanged or refused, with its names, issuer, expiry and fingerprint.",
            "Exit status 1 when new files were refused (the certificate loaded before is still served) or when no "
                    + "server answers on the management listener."})
    static final class Reload implements Callable<Integer> {

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions store = new StoreOptions();

        @Override
        public Integer call() throws InterruptedException {
            HatoProperties properties = store.properties();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int port = properties.ports().management();
            if (port == 0) {
                err.println("hato: hato.ports.management is 0 (a port chosen at start-up): set a fixed port to reach"
                        + " the running server");
                return 1;
            }
            URI uri = URI.create("http://" + host(properties.managementAddress()) + ":" + port
                    + ManagementRoutes.TLS_RELOAD);
            HttpResponse<String> response;
            HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
            try {
                response = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (ConnectException e) {
                err.println("hato: no Hato server answers at " + uri + ": is hato serve running with these settings?");
                return 1;
            } catch (IOException e) {
                err.println("hato: cannot ask the server at " + uri + ": " + CliFailures.describe(e));
                return 1;
            }
            String body = response.body().strip();
            if (response.statusCode() == 200) {
                out.println(body);
                out.flush();
                return 0;
            }
            if (response.statusCode() == 422) {
                out.println(body);
                out.flush();
                err.println("hato: new certificate files were refused; the certificates loaded before are still"
                        + " served");
                return 1;
            }
            err.println("hato: the server at " + uri + " answered HTTP " + response.statusCode()
                    + (body.isEmpty() ? "" : ": " + body.lines().findFirst().orElse("")));
            return 1;
        }

        /** The management address as a client reaches it: a wildcard bind is reached on the loopback address. */
        static String host(String address) {
            if (address.equals("0.0.0.0") || address.isEmpty()) {
                return "127.0.0.1";
            }
            if (address.equals("::") || address.equals("[::]")) {
                return "[::1]";
            }
            return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
        }
    }
}
