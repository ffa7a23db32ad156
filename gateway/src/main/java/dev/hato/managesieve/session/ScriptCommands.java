package dev.hato.managesieve.session;

import dev.hato.managesieve.wire.ManageSieveCommand;
import dev.hato.managesieve.wire.ManageSieveResponse;
import dev.hato.sieve.CompileException;
import dev.hato.sieve.Problem;
import dev.hato.sieve.SieveCompiler;
import dev.hato.store.sieve.SieveScript;
import dev.hato.store.sieve.SieveScriptException;
import dev.hato.store.sieve.SieveScripts;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The commands of the authenticated state that read or change the person's scripts (RFC 5804 §2.5–§2.12), each
 * answered with its whole response text. A script is compiled before it is stored or declared valid, off the event
 * loop; a refusal lists the compiler's problems with their lines, one a line. The store's rules become the response
 * codes of RFC 5804 §1.3; a store that cannot answer gives {@code TRYLATER}.
 */
final class ScriptCommands {

    private static final Logger LOG = LoggerFactory.getLogger(ScriptCommands.class);

    private final ManageSieveServices services;
    private final SieveScripts scripts;

    ScriptCommands(ManageSieveServices services) {
        this.services = services;
        this.scripts = services.scripts();
    }

    /** RFC 5804 §2.5: OK when a script of that name and size would be accepted now. */
    Mono<String> haveSpace(long accountId, ManageSieveCommand.HaveSpace command) {
        if (!SieveScripts.validName(command.name())) {
            return Mono.just(ManageSieveResponse.no(null, "Invalid script name"));
        }
        if (command.size() > SieveScripts.MAX_SCRIPT_OCTETS) {
            return Mono.just(tooLarge());
        }
        return scripts.list(accountId).map(SieveScript::name).collectList()
                .map(names -> !names.contains(command.name()) && names.size() >= SieveScripts.MAX_SCRIPTS
                        ? tooMany() : ManageSieveResponse.ok(null, "Putscript would succeed"))
                .onErrorResume(this::failed);
    }

    /** RFC 5804 §2.6: compiled first; an invalid script is never stored. */
    Mono<String> putScript(long accountId, ManageSieveCommand.PutScript command) {
        if (!SieveScripts.validName(command.name())) {
            return Mono.just(ManageSieveResponse.no(null, "Invalid script name"));
        }
        if (command.content().getBytes(StandardCharsets.UTF_8).length > SieveScripts.MAX_SCRIPT_OCTETS) {
            return Mono.just(tooLarge());
        }
        return problems(command.content()).flatMap(problems -> problems.isPresent()
                ? Mono.just(ManageSieveResponse.no(null, problems.get()))
                : scripts.put(accountId, command.name(), command.content())
                        .thenReturn(ManageSieveResponse.ok(null, "Script stored"))
                        .onErrorResume(this::failed));
    }

    /** RFC 5804 §2.12: PUTSCRIPT's check without storing. */
    Mono<String> checkScript(ManageSieveCommand.CheckScript command) {
        return problems(command.content()).map(problems -> problems.isPresent()
                ? ManageSieveResponse.no(null, problems.get()) : ManageSieveResponse.ok(null, "Script is valid"));
    }

    /** RFC 5804 §2.7: one line per script, the active one marked. */
    Mono<String> listScripts(long accountId) {
        return scripts.list(accountId).collectList().map(list -> {
            StringBuilder response = new StringBuilder();
            for (SieveScript script : list) {
                response.append(ManageSieveResponse.string(script.name())).append(script.active() ? " ACTIVE" : "")
                        .append("\r\n");
            }
            return response.append(ManageSieveResponse.ok(null, "Listscripts completed")).toString();
        }).onErrorResume(this::failed);
    }

    /** RFC 5804 §2.8: the empty name deactivates whichever script is active. */
    Mono<String> setActive(long accountId, ManageSieveCommand.SetActive command) {
        String name = command.name();
        return scripts.activate(accountId, name.isEmpty() ? null : name)
                .thenReturn(ManageSieveResponse.ok(null, name.isEmpty() ? "No script is active" : "Script active"))
                .onErrorResume(this::failed);
    }

    /** RFC 5804 §2.9: the script as a literal, then OK. */
    Mono<String> getScript(long accountId, ManageSieveCommand.GetScript command) {
        return scripts.get(accountId, command.name())
                .map(script -> "{" + script.content().getBytes(StandardCharsets.UTF_8).length + "}\r\n"
                        + script.content() + "\r\n" + ManageSieveResponse.ok(null, "Getscript completed"))
                .defaultIfEmpty(ManageSieveResponse.no("NONEXISTENT", "There is no script by that name"))
                .onErrorResume(this::failed);
    }

    /** RFC 5804 §2.10: never the active script. */
    Mono<String> deleteScript(long accountId, ManageSieveCommand.DeleteScript command) {
        return scripts.delete(accountId, command.name()).thenReturn(ManageSieveResponse.ok(null, "Script deleted"))
                .onErrorResume(this::failed);
    }

    /** RFC 5804 §2.11: the script keeps its text and whether it is active. */
    Mono<String> renameScript(long accountId, ManageSieveCommand.RenameScript command) {
        if (command.oldName().equals(command.newName())) {
            // RFC 5804 §2.11: a script of the new name exists (it is this one).
            return scripts.get(accountId, command.oldName())
                    .map(script -> ManageSieveResponse.no("ALREADYEXISTS", "A script by that name exists already"))
                    .defaultIfEmpty(ManageSieveResponse.no("NONEXISTENT", "There is no script by that name"))
                    .onErrorResume(this::failed);
        }
        return scripts.rename(accountId, command.oldName(), command.newName())
                .thenReturn(ManageSieveResponse.ok(null, "Script renamed"))
                .onErrorResume(this::failed);
    }

    /** The compiler's problems, one a line with its position, or empty for a valid script; off the event loop. */
    private Mono<Optional<String>> problems(String content) {
        return Mono.fromCallable(() -> {
            try {
                SieveCompiler.compile(content);
                return Optional.<String>empty();
            } catch (CompileException refused) {
                return Optional.of(describe(refused.problems()));
            }
        }).subscribeOn(services.compiler());
    }

    /** "line L, column C: message" for each problem (as {@link Problem} says it), CRLF between them. */
    static String describe(List<Problem> problems) {
        return problems.stream().map(Problem::toString).collect(Collectors.joining("\r\n"));
    }

    /** The store's refusals as RFC 5804 §1.3 codes; anything else is temporary. */
    private Mono<String> failed(Throwable error) {
        if (error instanceof SieveScriptException refused) {
            return Mono.just(switch (refused.reason()) {
                case NONEXISTENT -> ManageSieveResponse.no("NONEXISTENT", "There is no script by that name");
                case ALREADY_EXISTS -> ManageSieveResponse.no("ALREADYEXISTS", "A script by that name exists already");
                case ACTIVE -> ManageSieveResponse.no("ACTIVE", "The active script cannot be deleted; deactivate it "
                        + "first");
                // Sizes were checked before the store was asked: what is left is the number of scripts.
                case QUOTA -> tooMany();
                case BAD_NAME -> ManageSieveResponse.no(null, "Invalid script name");
            });
        }
        LOG.warn("ManageSieve: the script store failed: {}", error.toString());
        return Mono.just(ManageSieveResponse.no("TRYLATER", "Scripts are temporarily unavailable, try again later"));
    }

    private static String tooLarge() {
        return ManageSieveResponse.no("QUOTA/MAXSIZE", "A script may have at most " + SieveScripts.MAX_SCRIPT_OCTETS
                + " octets");
    }

    private static String tooMany() {
        return ManageSieveResponse.no("QUOTA/MAXSCRIPTS", "At most " + SieveScripts.MAX_SCRIPTS
                + " scripts may be kept");
    }
}
