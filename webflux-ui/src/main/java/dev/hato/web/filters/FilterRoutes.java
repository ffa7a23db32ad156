package dev.hato.web.filters;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.hato.store.mail.Mailboxes;
import dev.hato.store.sieve.SieveScript;
import dev.hato.store.sieve.SieveScripts;
import dev.hato.web.mail.MailRoutes;
import java.net.URI;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code /settings/filters}: forwarding (with or without a copy), a vacation response (dates, subject, text) and
 * rules (a field, a comparison, a value, an action), saved as the person's active Sieve script; and the script as
 * text, for scripts the builder did not write (uploaded with ManageSieve, carried over from the old system) or for
 * people who write Sieve. A script that does not compile is not saved, and the page shows each problem at its line.
 */
public final class FilterRoutes {

    /** Blank rule rows the page offers below the existing ones. */
    static final int BLANK_RULES = 3;

    private final Mailboxes mailboxes;
    private final SieveScripts scripts;
    private final ScriptCheck check;

    public FilterRoutes(Mailboxes mailboxes, SieveScripts scripts, ScriptCheck check) {
        this.mailboxes = mailboxes;
        this.scripts = scripts;
        this.check = check;
    }

    public RouterFunction<ServerResponse> routes() {
        return route()
                .GET("/settings/filters", this::page)
                .POST("/settings/filters", this::saveBuilt)
                .POST("/settings/filters/text", this::saveText)
                .build();
    }

    private Mono<ServerResponse> page(ServerRequest request) {
        return MailRoutes.context(request, mailboxes, null).flatMap(context -> active(context.user().accountId())
                .flatMap(script -> {
                    Map<String, Object> model = context.model();
                    if (request.queryParam("saved").isPresent()) {
                        model.put("saved", true);
                    }
                    Optional<FilterSettings> built = script.map(s -> FilterSettings.parse(s.content()))
                            .orElse(Optional.of(FilterSettings.none()));
                    boolean asText = request.queryParam("text").isPresent() || built.isEmpty();
                    put(model, built.orElse(FilterSettings.none()), !asText);
                    model.put("scriptName", script.map(SieveScript::name).orElse(FilterSettings.SCRIPT));
                    model.put("scriptText", script.map(SieveScript::content)
                            .orElseGet(() -> FilterSettings.none().toSieve()));
                    return ServerResponse.ok().render("filters", model);
                }));
    }

    private Mono<ServerResponse> saveBuilt(ServerRequest request) {
        return request.formData().flatMap(form -> MailRoutes.context(request, mailboxes, null).flatMap(context -> {
            Map<String, Object> model = context.model();
            FilterSettings settings;
            try {
                settings = settings(form);
            } catch (IllegalArgumentException | DateTimeParseException refused) {
                model.put("error", refused.getMessage());
                put(model, FilterSettings.none(), true);
                model.put("scriptName", FilterSettings.SCRIPT);
                model.put("scriptText", "");
                return ServerResponse.unprocessableEntity().render("filters", model);
            }
            return store(context.user().accountId(), FilterSettings.SCRIPT, settings.toSieve(), model,
                    () -> put(model, settings, true));
        }));
    }

    private Mono<ServerResponse> saveText(ServerRequest request) {
        return request.formData().flatMap(form -> MailRoutes.context(request, mailboxes, null).flatMap(context -> {
            String text = Optional.ofNullable(form.getFirst("script")).orElse("").replace("\r\n", "\n");
            String name = Optional.ofNullable(form.getFirst("name")).filter(SieveScripts::validName)
                    .orElse(FilterSettings.SCRIPT);
            Map<String, Object> model = context.model();
            return store(context.user().accountId(), name, text, model, () -> put(model, FilterSettings.none(), false));
        }));
    }

    /** Compiles, then stores and activates {@code text}; or renders the page with the problems. */
    private Mono<ServerResponse> store(long account, String name, String text, Map<String, Object> model,
                                       Runnable onRefusal) {
        if (text.length() > SieveScripts.MAX_SCRIPT_OCTETS) {
            model.put("error", "too long");
        } else {
            List<ScriptCheck.Problem> problems = check.problems(text);
            if (problems.isEmpty()) {
                return scripts.put(account, name, text)
                        .then(scripts.activate(account, name))
                        .then(ServerResponse.seeOther(URI.create("/settings/filters?saved")).build());
            }
            model.put("problems", problems);
        }
        onRefusal.run();
        model.put("scriptName", name);
        model.put("scriptText", text);
        return ServerResponse.unprocessableEntity().render("filters", model);
    }

    /** The active script, if the person has one. */
    private Mono<Optional<SieveScript>> active(long account) {
        return scripts.list(account).filter(SieveScript::active).next().map(Optional::of)
                .defaultIfEmpty(Optional.empty());
    }

    private static void put(Map<String, Object> model, FilterSettings settings, boolean builder) {
        model.put("builder", builder);
        model.put("vacation", settings.vacation());
        model.put("forward", settings.forward());
        List<FilterSettings.Rule> rows = new ArrayList<>(settings.rules());
        model.put("rules", rows);
        model.put("blankRules", BLANK_RULES);
    }

    /** The settings a builder form posted: rows with an empty value are left out. */
    static FilterSettings settings(MultiValueMap<String, String> form) {
        List<String> fields = form.getOrDefault("field", List.of());
        List<String> matches = form.getOrDefault("match", List.of());
        List<String> values = form.getOrDefault("value", List.of());
        List<String> actions = form.getOrDefault("action", List.of());
        List<String> arguments = form.getOrDefault("argument", List.of());
        List<FilterSettings.Rule> rules = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i).strip();
            if (value.isEmpty()) {
                continue;
            }
            if (rules.size() == FilterSettings.MAX_RULES) {
                throw new IllegalArgumentException("at most " + FilterSettings.MAX_RULES + " rules");
            }
            rules.add(new FilterSettings.Rule(at(fields, i), at(matches, i), value, at(actions, i),
                    at(arguments, i).strip()));
        }
        boolean on = "on".equals(form.getFirst("vacation"));
        FilterSettings.Vacation vacation = new FilterSettings.Vacation(on, date(form.getFirst("vacationFrom")),
                date(form.getFirst("vacationUntil")), text(form.getFirst("vacationSubject")),
                text(form.getFirst("vacationText")));
        FilterSettings.Forward forward = new FilterSettings.Forward(text(form.getFirst("forwardTo")),
                "on".equals(form.getFirst("forwardKeep")));
        return new FilterSettings(rules, on ? vacation : FilterSettings.Vacation.OFF, forward);
    }

    private static String at(List<String> values, int i) {
        return i < values.size() ? values.get(i) : "";
    }

    private static String text(@Nullable String value) {
        return value == null ? "" : value.replace("\r\n", "\n").strip();
    }

    private static @Nullable LocalDate date(@Nullable String value) {
        return value == null || value.isBlank() ? null : LocalDate.parse(value.strip());
    }
}
