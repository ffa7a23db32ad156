package dev.hato.bench.load;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Webmail load, checked: SESSIONS browser-like sessions log in to one account, then each loops until the time is
 * up: show the first page of the INBOX, open one message of that page chosen at random, wait THINK_MS. Targets:
 * {@code hato} (GET /mail, GET /mail/folder/F/message/U) and {@code roundcube} 1.6 (GET ?_task=mail&_mbox=INBOX, the
 * page without the list, then the list its script asks for, ?_task=mail&_action=list with the X-Roundcube-Request
 * token, then ?_task=mail&_action=show&_uid=U). Every response is checked: status 200 and a marker of the page
 * asked for (the list's rows, the message with its UID), so that an error page is never counted as a success.
 *
 * <pre>
 *   java -cp benchmarks.jar dev.hato.bench.load.WebmailLoad --target hato --url https://127.0.0.1:12443 \
 *       --user big --password pw-big --sessions 200 --seconds 60 --warmup 5 [--think-ms 0] [--csv]
 *   java -cp benchmarks.jar dev.hato.bench.load.WebmailLoad --target roundcube --url ... --weight
 * </pre>
 *
 * Latency is wall-clock time in this client from sending a request to having read its whole body (before it is
 * decompressed) over loopback: the server's time plus loopback and this client's share of two cores. Requests ask
 * for gzip as browsers do. Connections are kept alive (HTTP/1.1, one shared pool, as a browser's per site); the
 * certificate is not checked (the servers' self-signed ones). Latency samples are kept only for requests started
 * after the warm-up and finished before the end. {@code --csv} prints {@code target,request,count,per_s,p50_ms,
 * p99_ms,max_ms,errors} for each request type and {@code requests} (all of them); {@code --weight} instead logs in
 * once and prints, for the list page and every script and style sheet it links,
 * {@code resource,status,content_type,octets,sent_octets,content_encoding,gzip_octets,cache_control}.
 */
public final class WebmailLoad {

    private static final int SAMPLE_CAPACITY = 2_000_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern HATO_CSRF = Pattern.compile("<input[^>]*name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
    private static final Pattern HATO_OPEN = Pattern.compile("href=\"(/mail/folder/(\\d+)/message/(\\d+))\"");
    private static final Pattern RC_TOKEN = Pattern.compile("<input[^>]*name=\"_token\"[^>]*value=\"([^\"]+)\"");
    private static final Pattern RC_REQUEST_TOKEN = Pattern.compile("\"request_token\":\"([^\"]+)\"");
    private static final Pattern RC_ROW = Pattern.compile("add_message_row\\((\\d+),");
    private static final Pattern SCRIPT = Pattern.compile("<script[^>]*\\ssrc=\"([^\"]+)\"");
    private static final Pattern LINK = Pattern.compile("<link[^>]*>");
    private static final Pattern HREF = Pattern.compile("\\shref=\"([^\"]+)\"");

    private WebmailLoad() {
    }

    record Options(String target, URI base, String user, String password, int sessions, int seconds, int warmup,
                   int thinkMs, boolean csv, boolean weight) {
        Options {
            if (!target.equals("hato") && !target.equals("roundcube")) {
                throw new IllegalArgumentException("--target hato or roundcube");
            }
            if (sessions < 1 || sessions > 5000 || seconds < 1 || seconds > 3600 || warmup < 0 || warmup > 600
                    || thinkMs < 0 || thinkMs > 60_000) {
                throw new IllegalArgumentException("sessions 1..5000, seconds 1..3600, warmup 0..600, think-ms 0..60000");
            }
        }

        static Options parse(String[] args) {
            Map<String, String> named = new LinkedHashMap<>();
            boolean csv = false;
            boolean weight = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--csv" -> csv = true;
                    case "--weight" -> weight = true;
                    default -> {
                        if (!args[i].startsWith("--") || i + 1 == args.length) {
                            throw new IllegalArgumentException("unexpected argument " + args[i]);
                        }
                        named.put(args[i].substring(2), args[++i]);
                    }
                }
            }
            String url = named.getOrDefault("url", "https://127.0.0.1:8443");
            return new Options(named.getOrDefault("target", "hato"), URI.create(url.endsWith("/") ? url : url + "/"),
                    required(named, "user"), required(named, "password"),
                    Integer.parseInt(named.getOrDefault("sessions", "200")),
                    Integer.parseInt(named.getOrDefault("seconds", "60")),
                    Integer.parseInt(named.getOrDefault("warmup", "5")),
                    Integer.parseInt(named.getOrDefault("think-ms", "0")), csv, weight);
        }

        private static String required(Map<String, String> named, String name) {
            String value = named.get(name);
            if (value == null) {
                throw new IllegalArgumentException("--" + name + " is required");
            }
            return value;
        }
    }

    /** A response as the client saw it: status, headers, the body as sent and as decoded. */
    record Reply(int status, HttpResponse<byte[]> raw, byte[] sent, String body) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse("");
        }
    }

    /** A wrong response: counted as an error of its request type. */
    static final class Wrong extends Exception {
        Wrong(String message) {
            super(message, null, false, false);
        }
    }

    /** One browser: its own cookies, requests over the shared client. */
    static final class Browser {
        private final HttpClient client;
        private final URI base;
        private final Map<String, String> cookies = new LinkedHashMap<>();

        Browser(HttpClient client, URI base) {
            this.client = client;
            this.base = base;
        }

        Reply get(String path, boolean gzip, String... headers) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(base.resolve(path)).GET(), gzip, headers);
        }

        Reply post(String path, Map<String, String> form) throws IOException, InterruptedException {
            StringBuilder body = new StringBuilder();
            form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            return send(HttpRequest.newBuilder(base.resolve(path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())), true);
        }

        private Reply send(HttpRequest.Builder request, boolean gzip, String... headers)
                throws IOException, InterruptedException {
            request.timeout(TIMEOUT).header("Accept-Encoding", gzip ? "gzip" : "identity")
                    .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) WebmailLoad")
                    .header("Accept", "text/html,application/xhtml+xml,*/*");
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            synchronized (cookies) {
                if (!cookies.isEmpty()) {
                    StringBuilder cookie = new StringBuilder();
                    cookies.forEach((k, v) -> cookie.append(cookie.isEmpty() ? "" : "; ").append(k).append('=').append(v));
                    request.header("Cookie", cookie.toString());
                }
            }
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            for (String set : response.headers().allValues("set-cookie")) {
                String pair = set.split(";", 2)[0];
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String name = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1).trim();
                String lower = set.toLowerCase(Locale.ROOT);
                synchronized (cookies) {
                    if (value.isEmpty() || value.equals("deleted") || lower.contains("max-age=0")
                            || lower.contains("expires=thu, 01 jan 1970") || lower.contains("expires=thu, 01-jan-1970")) {
                        cookies.remove(name);
                    } else {
                        cookies.put(name, value);
                    }
                }
            }
            byte[] sent = response.body();
            byte[] plain = sent;
            if (response.headers().firstValue("content-encoding").orElse("").equalsIgnoreCase("gzip")) {
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(sent))) {
                    plain = in.readAllBytes();
                }
            }
            return new Reply(response.statusCode(), response, sent, new String(plain, StandardCharsets.UTF_8));
        }
    }

    /** Latency and errors of one request type. */
    static final class Meter {
        final String name;
        final Samples samples = new Samples(SAMPLE_CAPACITY);
        final AtomicLong errors = new AtomicLong();

        Meter(String name) {
            this.name = name;
        }
    }

    /** The measurement window, shared by all sessions. */
    record Window(long start, long end) {
        boolean counts(long began, long finished) {
            return began >= start && finished <= end;
        }
    }

    /** One webmail's conversation: log in, show the first page (returns UIDs on it), open a message. */
    interface Webmail {
        void login(Browser browser) throws Wrong, IOException, InterruptedException;

        /** Shows the first page; records its requests; returns the UIDs listed. */
        List<Long> firstPage(Browser browser, Window window, Map<String, Meter> meters)
                throws Wrong, IOException, InterruptedException;

        void open(Browser browser, long uid) throws Wrong, IOException, InterruptedException;

        List<String> requestTypes();

        /** HTTP requests one first page takes. */
        int pageRequests();

        /** For --weight: the list page's path(s), after login. */
        List<String> weightPages(Browser browser) throws Wrong, IOException, InterruptedException;
    }

    static Reply expect200(Reply reply, String what, String marker) throws Wrong {
        if (reply.status() != 200) {
            throw new Wrong(what + ": status " + reply.status() + " " + reply.header("location"));
        }
        if (!reply.body().contains(marker)) {
            throw new Wrong(what + ": no " + marker + " in " + excerpt(reply.body()));
        }
        return reply;
    }

    static String excerpt(String body) {
        String flat = body.replaceAll("\\s+", " ");
        return flat.length() > 300 ? flat.substring(0, 300) + "…" : flat;
    }

    static String group(Pattern pattern, String body, String what) throws Wrong {
        Matcher m = pattern.matcher(body);
        if (!m.find()) {
            throw new Wrong("no " + what + " in " + excerpt(body));
        }
        return m.group(1);
    }

    static void time(Meter meter, Window window, long began) {
        long finished = System.nanoTime();
        if (window.counts(began, finished)) {
            meter.samples.add(finished - began);
        }
    }

    /** Hato: server-rendered pages; the list page carries its rows. */
    static final class Hato implements Webmail {
        private final String user;
        private final String password;
        private final Map<Browser, String> folderOf = new java.util.concurrent.ConcurrentHashMap<>();

        Hato(String user, String password) {
            this.user = user;
            this.password = password;
        }

        @Override
        public void login(Browser browser) throws Wrong, IOException, InterruptedException {
            Reply page = expect200(browser.get("login", true), "GET /login", "login-form");
            String csrf = group(HATO_CSRF, page.body(), "_csrf");
            Map<String, String> form = new LinkedHashMap<>();
            form.put("username", user);
            form.put("password", password);
            form.put("_csrf", csrf);
            Reply reply = browser.post("login", form);
            String location = reply.header("location");
            if ((reply.status() != 302 && reply.status() != 303) || !location.contains("/mail")) {
                throw new Wrong("POST /login: status " + reply.status() + " location " + location + " "
                        + excerpt(reply.body()));
            }
        }

        @Override
        public List<Long> firstPage(Browser browser, Window window, Map<String, Meter> meters)
                throws Wrong, IOException, InterruptedException {
            long began = System.nanoTime();
            Reply reply = browser.get("mail", true);
            time(meters.get("first-page"), window, began);
            expect200(reply, "GET /mail", "id=\"rows\"");
            List<Long> uids = new ArrayList<>();
            Matcher m = HATO_OPEN.matcher(reply.body());
            while (m.find()) {
                folderOf.put(browser, m.group(2));
                uids.add(Long.parseLong(m.group(3)));
            }
            if (uids.isEmpty()) {
                throw new Wrong("GET /mail: no messages listed");
            }
            return uids;
        }

        @Override
        public void open(Browser browser, long uid) throws Wrong, IOException, InterruptedException {
            String path = "mail/folder/" + folderOf.get(browser) + "/message/" + uid;
            Reply reply = expect200(browser.get(path, true), "GET /" + path, "id=\"message\"");
            if (!reply.body().contains("data-uid=\"" + uid + "\"")) {
                throw new Wrong("GET /" + path + ": another message");
            }
        }

        @Override
        public List<String> requestTypes() {
            return List.of("first-page", "open");
        }

        @Override
        public int pageRequests() {
            return 1;
        }

        @Override
        public List<String> weightPages(Browser browser) {
            return List.of("mail");
        }
    }

    /** Roundcube 1.6 (elastic skin): the mail page is a frame; its script asks for the list as JSON. */
    static final class Roundcube implements Webmail {
        private static final String PAGE = "?_task=mail&_mbox=INBOX";
        private static final String LIST = "?_task=mail&_action=list&_mbox=INBOX&_page=1&_remote=1";
        private final String user;
        private final String password;
        private final Map<Browser, String> tokenOf = new java.util.concurrent.ConcurrentHashMap<>();

        Roundcube(String user, String password) {
            this.user = user;
            this.password = password;
        }

        @Override
        public void login(Browser browser) throws Wrong, IOException, InterruptedException {
            Reply page = expect200(browser.get("?_task=login", true), "GET ?_task=login", "rcmloginuser");
            String token = group(RC_TOKEN, page.body(), "_token");
            Map<String, String> form = new LinkedHashMap<>();
            form.put("_token", token);
            form.put("_task", "login");
            form.put("_action", "login");
            form.put("_timezone", "UTC");
            form.put("_url", "");
            form.put("_user", user);
            form.put("_pass", password);
            Reply reply = browser.post("?_task=login", form);
            String location = reply.header("location");
            if (reply.status() != 302 || !location.contains("_task=mail")) {
                throw new Wrong("POST login: status " + reply.status() + " location " + location + " "
                        + excerpt(reply.body()));
            }
        }

        @Override
        public List<Long> firstPage(Browser browser, Window window, Map<String, Meter> meters)
                throws Wrong, IOException, InterruptedException {
            long began = System.nanoTime();
            Reply page;
            try {
                page = browser.get(PAGE, true);
                time(meters.get("page"), window, began);
                expect200(page, "GET " + PAGE, "rcmail.set_env(");
                tokenOf.put(browser, group(RC_REQUEST_TOKEN, page.body(), "request_token"));
            } catch (Wrong | IOException e) {
                meters.get("page").errors.incrementAndGet();
                throw e;
            }
            String token = tokenOf.get(browser);
            long listed = System.nanoTime();
            Reply list;
            try {
                list = browser.get(LIST, true, "X-Roundcube-Request", token, "X-Requested-With", "XMLHttpRequest");
                long finished = System.nanoTime();
                if (window.counts(listed, finished)) {
                    meters.get("list").samples.add(finished - listed);
                }
                if (window.counts(began, finished)) {
                    meters.get("first-page").samples.add(finished - began);
                }
                expect200(list, "GET " + LIST, "\"action\":\"list\"");
            } catch (Wrong | IOException e) {
                meters.get("list").errors.incrementAndGet();
                throw e;
            }
            List<Long> uids = new ArrayList<>();
            Matcher m = RC_ROW.matcher(list.body());
            while (m.find()) {
                uids.add(Long.parseLong(m.group(1)));
            }
            if (uids.isEmpty()) {
                meters.get("list").errors.incrementAndGet();
                throw new Wrong("GET " + LIST + ": no messages listed: " + excerpt(list.body()));
            }
            return uids;
        }

        @Override
        public void open(Browser browser, long uid) throws Wrong, IOException, InterruptedException {
            String path = "?_task=mail&_action=show&_uid=" + uid + "&_mbox=INBOX";
            Reply reply = expect200(browser.get(path, true), "GET " + path, "id=\"messagebody\"");
            if (!reply.body().contains("\"uid\":" + uid) && !reply.body().contains("\"uid\":\"" + uid + "\"")) {
                throw new Wrong("GET " + path + ": another message: " + excerpt(reply.body()));
            }
        }

        @Override
        public List<String> requestTypes() {
            return List.of("first-page", "page", "list", "open");
        }

        @Override
        public int pageRequests() {
            return 2;
        }

        @Override
        public List<String> weightPages(Browser browser) {
            return List.of(PAGE, LIST);
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("WebmailLoad: " + e.getMessage());
            System.exit(2);
            return;
        }
        // The servers' certificates are self-signed, for localhost; the load goes to 127.0.0.1.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trustAll())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
        Webmail webmail = options.target().equals("hato")
                ? new Hato(options.user(), options.password())
                : new Roundcube(options.user(), options.password());
        if (options.weight()) {
            weigh(options, client, webmail);
        } else {
            System.exit(load(options, client, webmail));
        }
    }

    private static int load(Options options, HttpClient client, Webmail webmail) throws InterruptedException {
        Map<String, Meter> meters = new LinkedHashMap<>();
        for (String type : webmail.requestTypes()) {
            meters.put(type, new Meter(type));
        }
        Meter login = new Meter("login");
        AtomicLong requests = new AtomicLong();
        AtomicInteger reported = new AtomicInteger();
        CountDownLatch loggedIn = new CountDownLatch(options.sessions());
        long[] window = new long[2];
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < options.sessions(); s++) {
            int session = s;
            Thread thread = new Thread(() -> {
                Random random = new Random(session);
                Browser browser = new Browser(client, options.base());
                boolean in = loginOnce(webmail, browser, login, reported);
                loggedIn.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                Window w = new Window(window[0], window[1]);
                if (options.thinkMs() > 0) {
                    try {
                        Thread.sleep(random.nextInt(options.thinkMs())); // sessions spread over one think time
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                while (System.nanoTime() < w.end()) {
                    try {
                        if (!in) {
                            Thread.sleep(200);
                            in = loginOnce(webmail, browser, login, reported);
                            continue;
                        }
                        List<Long> uids;
                        try {
                            uids = webmail.firstPage(browser, w, meters);
                            for (int r = 0; r < webmail.pageRequests(); r++) {
                                count(requests, w);
                            }
                        } catch (Wrong | IOException e) {
                            if (webmail instanceof Hato) {
                                meters.get("first-page").errors.incrementAndGet();
                            }
                            report(reported, e);
                            in = false;
                            continue;
                        }
                        long uid = uids.get(random.nextInt(uids.size()));
                        long began = System.nanoTime();
                        try {
                            webmail.open(browser, uid);
                            time(meters.get("open"), w, began);
                            count(requests, w);
                        } catch (Wrong | IOException e) {
                            meters.get("open").errors.incrementAndGet();
                            report(reported, e);
                            in = false;
                            continue;
                        }
                        if (options.thinkMs() > 0) {
                            Thread.sleep(options.thinkMs());
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "session-" + s);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        if (!loggedIn.await(300, TimeUnit.SECONDS)) {
            System.err.println("WebmailLoad: logins did not finish within 300 s");
            return 1;
        }
        long now = System.nanoTime();
        window[0] = now + TimeUnit.SECONDS.toNanos(options.warmup());
        window[1] = window[0] + TimeUnit.SECONDS.toNanos(options.seconds());
        go.countDown();
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(options.warmup() + options.seconds()) + TIMEOUT.toMillis() + 5_000);
        }
        long errors = login.errors.get();
        List<String> rows = new ArrayList<>();
        long[] all = new long[0];
        for (Meter meter : meters.values()) {
            long[] sorted = meter.samples.sorted();
            errors += meter.errors.get();
            rows.add(row(options.target(), meter.name, meter.samples.count(), options.seconds(), sorted, meter.errors.get()));
            if (!meter.name.equals("first-page") || webmail instanceof Hato) {
                long[] merged = new long[all.length + sorted.length];
                System.arraycopy(all, 0, merged, 0, all.length);
                System.arraycopy(sorted, 0, merged, all.length, sorted.length);
                all = merged;
            }
        }
        java.util.Arrays.sort(all);
        rows.add(row(options.target(), "login", login.samples.count(), options.seconds(), login.samples.sorted(),
                login.errors.get()));
        rows.add(row(options.target(), "requests", requests.get(), options.seconds(), all, errors));
        if (options.csv()) {
            rows.forEach(System.out::println);
        } else {
            System.out.println("target,request,count,per_s,p50_ms,p99_ms,max_ms,errors");
            rows.forEach(System.out::println);
        }
        return 0;
    }

    private static void count(AtomicLong requests, Window window) {
        long now = System.nanoTime();
        if (now >= window.start() && now <= window.end()) {
            requests.incrementAndGet();
        }
    }

    private static boolean loginOnce(Webmail webmail, Browser browser, Meter login, AtomicInteger reported) {
        long began = System.nanoTime();
        try {
            webmail.login(browser);
            login.samples.add(System.nanoTime() - began);
            return true;
        } catch (Wrong | IOException e) {
            login.errors.incrementAndGet();
            report(reported, e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void report(AtomicInteger reported, Exception e) {
        if (reported.incrementAndGet() <= 10) {
            System.err.println("WebmailLoad: " + e);
        }
    }

    private static String row(String target, String name, long count, int seconds, long[] sorted, long errors) {
        return String.format(Locale.ROOT, "%s,%s,%d,%.1f,%.2f,%.2f,%.2f,%d", target, name, count,
                name.equals("login") ? 0.0 : count / (double) seconds, Samples.percentileMillis(sorted, 50),
                Samples.percentileMillis(sorted, 99), sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6,
                errors);
    }

    /** Page weight: the list page(s) and every script and style sheet the first one links, each asked for twice. */
    private static void weigh(Options options, HttpClient client, Webmail webmail) throws Exception {
        Browser browser = new Browser(client, options.base());
        webmail.login(browser);
        List<String> pages = webmail.weightPages(browser);
        Reply first = browser.get(pages.get(0), false);
        expect200(first, "GET " + pages.get(0), options.target().equals("hato") ? "id=\"rows\"" : "rcmail.set_env(");
        Matcher token = RC_REQUEST_TOKEN.matcher(first.body());
        String requestToken = token.find() ? token.group(1) : "";
        LinkedHashSet<String> assets = new LinkedHashSet<>();
        URI pageUri = options.base().resolve(pages.get(0));
        Matcher script = SCRIPT.matcher(first.body());
        while (script.find()) {
            assets.add(pageUri.resolve(script.group(1).replace("&amp;", "&")).toString());
        }
        Matcher link = LINK.matcher(first.body());
        while (link.find()) {
            String tag = link.group();
            Matcher href = HREF.matcher(tag);
            if (tag.contains("stylesheet") && href.find()) {
                assets.add(pageUri.resolve(href.group(1).replace("&amp;", "&")).toString());
            }
        }
        List<String> resources = new ArrayList<>(pages);
        resources.addAll(assets);
        for (String resource : resources) {
            String[] headers = resource.contains("_remote=1")
                    ? new String[] {"X-Roundcube-Request", requestToken, "X-Requested-With", "XMLHttpRequest"}
                    : new String[0];
            Reply identity = browser.get(resource, false, headers);
            Reply gzip = browser.get(resource, true, headers);
            if (identity.status() != 200 || gzip.status() != 200) {
                throw new Wrong("GET " + resource + ": status " + identity.status() + "/" + gzip.status());
            }
            byte[] raw = identity.sent();
            String name = URI.create(options.base().resolve(resource).toString()).getRawPath();
            String query = URI.create(options.base().resolve(resource).toString()).getRawQuery();
            if (query != null && query.contains("_task")) {
                name = name + "?" + query;
            }
            String cache = gzip.header("cache-control").isEmpty() ? (gzip.header("expires").isEmpty() ? "none"
                    : "expires " + gzip.header("expires")) : gzip.header("cache-control");
            System.out.printf(Locale.ROOT, "%s,%d,%s,%d,%d,%s,%d,\"%s\"%n", name, identity.status(),
                    identity.header("content-type").split(";")[0], raw.length, gzip.sent().length,
                    gzip.header("content-encoding").isEmpty() ? "none" : gzip.header("content-encoding"), gzipped(raw),
                    cache.replace("\"", "'"));
        }
    }

    private static int gzipped(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.size();
    }

    private static SSLContext trustAll() throws Exception {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
        return context;
    }
}
