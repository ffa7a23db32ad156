package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MessageMeta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hato import maildir} of a Maildir that Dovecot itself wrote (doveadm save, flags, mailbox create and
 * subscribe, Debian's dovecot-core as CI installs it): every folder, every message's flags and received date come
 * out as Dovecot reports them with {@code doveadm fetch}. Needs doveadm and root (Dovecot's mail processes run as
 * nobody); skipped without them.
 */
class DovecotMaildirImportTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final DateTimeFormatter DOVEADM_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @TempDir
    Path temporary;

    /**
     * Where Dovecot works: a directory inside the test's temporary one, so that opening both to Dovecot's users
     * (nobody must pass through them) never changes the permissions of the system's temporary directory.
     */
    private Path dir;

    @Test
    void aMaildirWrittenByDovecotShouldComeOutAsDovecotReportsIt() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/doveadm")), "Dovecot's doveadm is not installed");
        assumeTrue("root".equals(System.getProperty("user.name")), "doveadm runs mail access as nobody: needs root");
        dir = Files.createDirectories(temporary.resolve("dovecot"));
        Path home = dir.resolve("home");
        Path maildir = home.resolve("Maildir");
        Files.createDirectories(maildir);
        Files.writeString(dir.resolve("dovecot.conf"), String.join("\n", List.of(
                "mail_location = maildir:" + maildir,
                "mail_uid = 65534", "mail_gid = 65534",
                "userdb {", "  driver = static", "  args = home=" + home, "}",
                "passdb {", "  driver = static", "  args = nopassword", "}", "")));
        run("chmod", "755", dir.toString(), temporary.toString());
        run("chown", "-R", "65534:65534", home.toString());
        doveadm("mailbox", "create", "Sent", "Lists.hato", "メーリングリスト");
        save("INBOX", "first");
        save("INBOX", "second");
        save("INBOX", "third");
        save("Sent", "sent");
        save("Lists.hato", "list");
        save("メーリングリスト", "japanese");
        doveadm("flags", "add", "\\Seen $Forwarded project-x", "mailbox", "INBOX", "subject", "first");
        doveadm("flags", "add", "\\Answered \\Flagged \\Draft", "mailbox", "INBOX", "subject", "second");
        doveadm("flags", "add", "\\Seen", "mailbox", "Sent", "all");
        doveadm("flags", "add", "\\Deleted work", "mailbox", "メーリングリスト", "all");
        doveadm("mailbox", "subscribe", "Sent", "Lists.hato", "メーリングリスト");
        Map<String, List<String>> dovecot = dovecotView();
        assertThat(dovecot.values().stream().mapToInt(List::size).sum()).isEqualTo(6);
        RunningHato.User eve = HATO.newUser("dovecot");

        CliRun imported = CliRun.of(HATO.dataDir(), "", "import", "maildir", maildir.toString(), "--user",
                eve.authId());

        assertThat(imported.status()).as(imported.out() + imported.err()).isZero();
        assertThat(imported.out()).contains("4 folders, 6 found, 6 imported, 0 already there, 0 refused, "
                + "3 subscriptions");
        assertThat(hatoView(eve, dovecot.keySet())).isEqualTo(dovecot);
        assertThat(HATO.store().mailboxes().subscriptions(eve.accountId()).collectList().block(WAIT))
                .contains("Sent", "Lists/hato", "メーリングリスト");
    }

    /** Folder (Hato's form) to its messages' "flags | received date", sorted, as doveadm fetch reports them. */
    private Map<String, List<String>> dovecotView() throws Exception {
        Map<String, List<String>> view = new HashMap<>();
        String[] lines = doveadm("-f", "tab", "fetch", "mailbox flags date.received", "all").split("\n");
        for (String line : Arrays.asList(lines).subList(1, lines.length)) {
            String[] columns = line.split("\t");
            Set<String> flags = new TreeSet<>(Arrays.asList(columns[1].split(" ")));
            flags.remove("\\Recent");
            flags.remove("");
            String date = LocalDateTime.parse(columns[2], DOVEADM_DATE).toInstant(ZoneOffset.UTC).toString();
            view.computeIfAbsent(columns[0].replace('.', '/'), name -> new ArrayList<>())
                    .add(String.join(" ", flags) + " | " + date);
        }
        view.values().forEach(list -> list.sort(null));
        return view;
    }

    private static Map<String, List<String>> hatoView(RunningHato.User user, Set<String> folders) {
        Map<String, List<String>> view = new HashMap<>();
        for (String folder : folders) {
            MailboxInfo box = HATO.store().mailboxes().find(user.accountId(), folder).block(WAIT);
            assertThat(box).as(folder).isNotNull();
            List<String> messages = new ArrayList<>();
            for (MessageMeta message : HATO.store().mailboxes().messages(user.accountId(), box.id()).collectList()
                    .block(WAIT)) {
                messages.add(String.join(" ", new TreeSet<>(message.flags())) + " | "
                        + message.internalDate().truncatedTo(ChronoUnit.SECONDS));
            }
            messages.sort(null);
            view.put(folder, messages);
        }
        return view;
    }

    private void save(String mailbox, String subject) throws Exception {
        Path message = dir.resolve(subject + ".eml");
        Files.writeString(message, "From: old@example.test\nSubject: " + subject + "\nMessage-ID: <" + subject
                + "@old.example.test>\n\n" + subject + "\n", StandardCharsets.UTF_8);
        run(List.of("doveadm", "-c", dir.resolve("dovecot.conf").toString(), "save", "-m", mailbox), message);
    }

    private String doveadm(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("doveadm", "-c", dir.resolve("dovecot.conf").toString()));
        command.addAll(List.of(args));
        return run(command, null);
    }

    private void run(String... command) throws Exception {
        run(List.of(command), null);
    }

    /** Runs {@code command} as root with HOME and USER set (doveadm without -u takes the user from them), in UTC. */
    private String run(List<String> command, @Nullable Path input) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("HOME", dir.resolve("home").toString());
        builder.environment().put("USER", "root");
        builder.environment().put("TZ", "UTC");
        if (input != null) {
            builder.redirectInput(input.toFile());
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
