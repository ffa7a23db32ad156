package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Webmail in a real browser: Debian's headless Chromium, driven by Selenium through Debian's chromedriver (both
 * installed by .ci/run), against the shared in-process Hato over HTTPS with its self-signed certificate. Logs in
 * with an auth ID, sees the INBOX with a message delivered by SMTP, and logs out; the page's scripts and styles load
 * under the Content-Security-Policy without a single violation in the browser's console.
 */
class WebmailBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final RunningHato hato = RunningHato.shared();

    /** Headless Chromium, insecure certificates accepted (Hato's is self-signed), its console kept. */
    private static WebDriver browser() {
        return browser(null);
    }

    /** The same, saving downloads in {@code downloads} when given. */
    private static WebDriver browser(Path downloads) {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: Debian's chromium and chromium-driver are not installed (/usr/bin/chromium, "
                        + "/usr/bin/chromedriver); .ci/run installs them");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1600", "--lang=en-US");
        options.setAcceptInsecureCerts(true);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        if (downloads != null) {
            options.setExperimentalOption("prefs", java.util.Map.of("download.default_directory",
                    downloads.toString(), "download.prompt_for_download", false));
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /**
     * Saves what the browser shows as {@code target/webmail-screenshots/<name>.png}: the pictures in docs/webmail.md
     * are these, taken by a run of this test.
     */
    private static void screenshot(WebDriver browser, String name) throws java.io.IOException {
        Path directory = Files.createDirectories(Path.of("target", "webmail-screenshots"));
        byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
        Files.write(directory.resolve(name + ".png"), png);
    }

    /** Nothing the pages load or run was refused by the Content-Security-Policy (the browser's console says so). */
    private static void assertNoPolicyViolation(WebDriver browser) {
        List<LogEntry> console = browser.manage().logs().get(LogType.BROWSER).getAll();
        assertThat(console).extracting(LogEntry::getMessage).as("the browser console")
                .noneMatch(message -> message.contains("Content Security Policy") || message.contains("Refused to"));
    }

    /** How long Chromium may take to load a page before {@link #open} looks into why. */
    static final Duration PAGE_LOAD = Duration.ofSeconds(60);

    /**
     * Loads a page. A load that has not finished in {@link #PAGE_LOAD} is looked into rather than waited out: every
     * thread of this JVM (the shared Hato runs in it) is printed, and the same URL is fetched over a fresh connection
     * from Java. If the server does not answer that either, the test fails with what it found; if it does, the
     * browser stalled on its own (seen once in CI, on a fresh machine), and the page is loaded once more.
     */
    private static void open(WebDriver browser, String url) {
        browser.manage().timeouts().pageLoadTimeout(PAGE_LOAD);
        try {
            browser.get(url);
        } catch (org.openqa.selenium.TimeoutException stalled) {
            StringBuilder threads = new StringBuilder("WebmailBrowserTest: " + url + " not loaded in " + PAGE_LOAD
                    + "; the threads of this JVM:\n");
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                threads.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
                for (StackTraceElement frame : stack) {
                    threads.append("    at ").append(frame).append('\n');
                }
            });
            System.err.println(threads);
            String answer = fetch(url);
            System.err.println("WebmailBrowserTest: the server, asked directly: " + answer);
            assertThat(answer).as("the server's answer to " + url + " on a fresh connection").startsWith("HTTP ");
            browser.get(url);
        }
    }

    /** The status of a GET over a new TLS connection (certificate not checked), or what went wrong, in 20 s. */
    private static String fetch(String url) {
        try {
            var trustAll = io.netty.handler.ssl.SslContextBuilder.forClient()
                    .trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE).build();
            return reactor.netty.http.client.HttpClient.create().secure(spec -> spec.sslContext(trustAll))
                    .get().uri(url).response().map(response -> "HTTP " + response.status().code())
                    .block(Duration.ofSeconds(20));
        } catch (Exception e) {
            return "no answer: " + e;
        }
    }

    private static void logIn(WebDriver browser, WebDriverWait wait, String site, RunningHato.User user) {
        open(browser, site + "/mail");
        wait.until(ExpectedConditions.urlToBe(site + "/login"));
        browser.findElement(By.id("username")).sendKeys(user.authId());
        browser.findElement(By.id("password")).sendKeys(user.password());
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.urlToBe(site + "/mail"));
    }

    /**
     * The accessibility rules of Deque's axe-core (WCAG 2.0 and 2.1, levels A and AA: labels, names, landmarks,
     * headings, contrast, language, ARIA) run in the page the browser shows; each violation as "rule: the first
     * element's selector".
     */
    private static List<String> accessibilityViolations(WebDriver browser) throws java.io.IOException {
        String axe;
        try (var in = WebmailBrowserTest.class.getResourceAsStream("/META-INF/resources/webjars/axe-core/"
                + AXE_VERSION + "/axe.min.js")) {
            assertThat(in).as("axe-core " + AXE_VERSION + " on the test class path").isNotNull();
            axe = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Object result = ((org.openqa.selenium.JavascriptExecutor) browser).executeAsyncScript(axe + "\n"
                + "var done = arguments[arguments.length - 1];"
                + "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
                + ".then(function (r) { done(r.violations.map(function (v) {"
                + "  return v.id + ': ' + v.nodes.map(function (n) { return n.target.join(' '); }).join(', '); })); })"
                + ".catch(function (e) { done(['axe failed: ' + e]); });");
        @SuppressWarnings("unchecked")
        List<String> violations = (List<String>) result;
        return violations;
    }

    static final String AXE_VERSION = "4.6.3";

    /** Presses Send on the compose page and waits for the list saying the message was sent. */
    private static void send(WebDriver browser, WebDriverWait wait) {
        WebElement send = browser.findElement(By.id("send"));
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "arguments[0].scrollIntoView({block: 'center'})", send);
        send.click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sent-notice")));
    }

    /** The newest message of the INBOX, open read-only. */
    private static jakarta.mail.internet.MimeMessage newest(jakarta.mail.Store imap) throws jakarta.mail.MessagingException {
        jakarta.mail.Folder inbox = imap.getFolder("INBOX");
        inbox.open(jakarta.mail.Folder.READ_ONLY);
        return (jakarta.mail.internet.MimeMessage) inbox.getMessage(inbox.getMessageCount());
    }

    /**
     * Hostile HTML mail: each vector tries to run a script whose only effect is an element {@code <xss-ran>} in the
     * document it runs in (or the parent's, or the title "XSS"). The corpus covers script elements, event handlers,
     * {@code javascript:} and {@code data:} URLs, SVG and MathML, CSS, meta refresh, forms, frames, base, and the
     * mutation-XSS shapes that rely on a sanitiser's output being parsed differently the second time.
     */
    static final List<String> HOSTILE = List.of(
            "<script>RUN</script>",
            "<img src=x onerror=\"RUN\">",
            "<body onload=\"RUN\"><p>body onload</p>",
            "<svg onload=\"RUN\"><script>RUN</script></svg>",
            "<svg><animate onbegin=\"RUN\" attributeName=x dur=1s></svg>",
            "<details open ontoggle=\"RUN\"><summary>x</summary></details>",
            "<input autofocus onfocus=\"RUN\">",
            "<video src=x onerror=\"RUN\"></video><audio src=x onerror=\"RUN\"></audio>",
            "<a href=\"javascript:RUN\" id=js-link>link</a><a href=\"jav&#x09;ascript:RUN\">tab</a>",
            "<iframe src=\"data:text/html,<script>RUN</script>\"></iframe><iframe srcdoc=\"<script>RUN</script>\"></iframe>",
            "<object data=\"data:text/html,<script>RUN</script>\"></object><embed src=\"data:text/html,<script>RUN</script>\">",
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:RUN\">",
            "<form action=\"javascript:RUN\"><button id=submit-me>go</button></form>",
            "<base href=\"javascript:RUN//\"><a href=\"/x\">relative</a>",
            "<style>@import 'javascript:RUN';body{background:url(\"javascript:RUN\")}</style>",
            "<div style=\"background-image:url(javascript:RUN);width:expression(RUN)\">css</div>",
            "<noscript><p title=\"</noscript><img src=x onerror=RUN>\"></noscript>",
            "<svg><style><img src=x onerror=\"RUN\"></style></svg>",
            "<math><mtext><table><mglyph><style><img src=x onerror=\"RUN\"></style></mglyph></table></mtext></math>",
            "<template><img src=x onerror=\"RUN\"></template><textarea><img src=x onerror=\"RUN\"></textarea>",
            "<isindex action=javascript:RUN type=image><keygen autofocus onfocus=RUN>",
            "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\"><a href=\"data:text/html,<script>RUN</script>\">d</a>",
            "<<script>RUN//<</script>",
            "<scr<script>ipt>RUN</scr</script>ipt>");

    /** What every vector's RUN runs: an element the test looks for, here, in the parent, and the title. */
    private static final String RUN = "document.body.appendChild(document.createElement('xss-ran'));"
            + "try{parent.document.body.appendChild(parent.document.createElement('xss-ran'))}catch(e){}"
            + "document.title='XSS'";

    @Test
    void hostileMailShouldNeverRunAScriptInTheBrowser() throws Exception {
        WebDriver browser = browser();
        RunningHato.User user = hato.newUser("xss");
        for (int i = 0; i < HOSTILE.size(); i++) {
            String html = "<html><body><p>vector " + i + "</p>" + HOSTILE.get(i).replace("RUN", RUN) + "</body></html>";
            assertThat(SmtpLines.send(hato.port("smtp"), "MAIL FROM:<attacker@remote.example>",
                    "RCPT TO:<" + user.address() + ">", "DATA",
                    "From: \"<img src=x onerror=alert(1)>\" <attacker@remote.example>\r\n"
                            + "Subject: <script>alert('vector " + i + "')</script>\r\nMIME-Version: 1.0\r\n"
                            + "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                            + java.util.Base64.getMimeEncoder().encodeToString(
                                    html.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "\r\n."))
                    .last().asString().startsWith("250");
        }
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            String site = "https://127.0.0.1:" + hato.httpsPort();
            logIn(browser, wait, site, user);
            List<String> links = browser.findElements(By.cssSelector("a.open")).stream()
                    .map(link -> link.getAttribute("href")).toList();
            assertThat(links).hasSize(HOSTILE.size());
            for (String link : links) {
                open(browser, link);
                wait.until(ExpectedConditions.frameToBeAvailableAndSwitchToIt(By.id("message-body-html")));
                wait.until(ExpectedConditions.textMatches(By.tagName("body"), java.util.regex.Pattern.compile("vector")));
                String vector = browser.findElement(By.tagName("body")).getText();
                for (WebElement focusable : browser.findElements(By.cssSelector("a, button, input, summary"))) {
                    try {
                        focusable.click();
                    } catch (RuntimeException notClickable) {
                        // hidden or gone: nothing to click
                    }
                }
                browser.switchTo().defaultContent();
                Thread.sleep(300);
                browser.switchTo().frame("message-frame");
                assertThat(browser.findElements(By.tagName("xss-ran"))).as("in the frame, " + vector).isEmpty();
                assertThat(browser.getTitle()).as(vector).isNotEqualTo("XSS");
                browser.switchTo().defaultContent();
                assertThat(browser.findElements(By.tagName("xss-ran"))).as("in the page, " + vector).isEmpty();
                assertThat(browser.getTitle()).as(vector).isNotEqualTo("XSS");
                assertThat(browser.findElement(By.id("message-subject")).getText()).startsWith("<script>alert(");
                assertThat(browser.getWindowHandles()).as("no window opened by " + vector).hasSize(1);
            }
            // The probe itself works: a script that does run leaves the element where it is looked for.
            ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(RUN);
            assertThat(browser.findElements(By.tagName("xss-ran"))).isNotEmpty();
        } finally {
            browser.quit();
        }
    }

    @Test
    void readDownloadComposeReplySearchAndMoveAsAPersonWould(@org.junit.jupiter.api.io.TempDir Path temp)
            throws Exception {
        Path downloads = Files.createDirectories(temp.resolve("downloads"));
        WebDriver browser = browser(downloads);
        RunningHato.User user = hato.newUser("person");
        RunningHato.User friend = hato.newUser("friend");
        java.nio.charset.Charset jis = java.nio.charset.Charset.forName("ISO-2022-JP");
        byte[] report = "%PDF-1.4 the report".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(SmtpLines.send(hato.port("smtp"), "MAIL FROM:<" + friend.address() + ">",
                "RCPT TO:<" + user.address() + ">", "DATA",
                "From: " + friend.address() + "\r\nSubject: =?ISO-2022-JP?B?"
                        + java.util.Base64.getEncoder().encodeToString("研究報告".getBytes(jis)) + "?=\r\n"
                        + "Message-ID: <report-1@example.test>\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                        + "Content-Type: text/plain; charset=ISO-2022-JP\r\n\r\n"
                        + new String("今月の研究報告です。".getBytes(jis), java.nio.charset.StandardCharsets.ISO_8859_1)
                        + "\r\n--b\r\nContent-Type: application/pdf\r\n"
                        + "Content-Disposition: attachment; filename*=UTF-8''report%20%E5%A0%B1%E5%91%8A.pdf\r\n"
                        + "Content-Transfer-Encoding: base64\r\n\r\n"
                        + java.util.Base64.getEncoder().encodeToString(report) + "\r\n--b--\r\n."))
                .last().asString().startsWith("250");
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            String site = "https://127.0.0.1:" + hato.httpsPort();
            logIn(browser, wait, site, user);

            // Read the ISO-2022-JP message and download its attachment.
            browser.findElement(By.cssSelector("a.open")).click();
            wait.until(ExpectedConditions.textToBe(By.id("message-subject"), "研究報告"));
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
            screenshot(browser, "reader");
            assertThat(browser.findElement(By.id("message-body-text")).getText()).isEqualTo("今月の研究報告です。");
            browser.findElement(By.cssSelector("a.attachment")).click();
            Path downloaded = downloads.resolve("report 報告.pdf");
            for (int i = 0; i < 100 && !Files.exists(downloaded); i++) {
                Thread.sleep(100);
            }
            assertThat(downloaded).exists();
            assertThat(Files.readAllBytes(downloaded)).isEqualTo(report);

            // Reply: prefilled, threaded, sent; the friend finds it over IMAP.
            browser.findElement(By.id("reply")).click();
            wait.until(ExpectedConditions.urlContains("/mail/compose"));
            assertThat(browser.findElement(By.id("subject")).getAttribute("value")).isEqualTo("Re: 研究報告");
            screenshot(browser, "compose");
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1600));
            browser.findElement(By.id("text")).sendKeys(org.openqa.selenium.Keys.chord(
                    org.openqa.selenium.Keys.CONTROL, org.openqa.selenium.Keys.HOME), "拝見しました。");
            Path file = Files.writeString(temp.resolve("メモ.txt"), "memo");
            browser.findElement(By.id("attachment")).sendKeys(file.toString());
            send(browser, wait);

            try (jakarta.mail.Store imap = MailFlowTest.imaps(hato, friend)) {
                jakarta.mail.internet.MimeMessage reply = newest(imap);
                assertThat(reply.getSubject()).isEqualTo("Re: 研究報告");
                assertThat(reply.getHeader("In-Reply-To")[0]).isEqualTo("<report-1@example.test>");
                jakarta.mail.Multipart parts = (jakarta.mail.Multipart) reply.getContent();
                assertThat(parts.getBodyPart(0).getContent().toString()).startsWith("拝見しました。")
                        .contains("> 今月の研究報告です。");
                assertThat(jakarta.mail.internet.MimeUtility.decodeText(parts.getBodyPart(1).getFileName()))
                        .isEqualTo("メモ.txt");
            }

            // Search a Japanese word, then move the message found into a new folder.
            open(browser, site + "/mail");
            browser.findElement(By.id("search-text")).sendKeys("研究報告", org.openqa.selenium.Keys.ENTER);
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("search-results")));
            assertThat(browser.findElements(By.cssSelector("a.open"))).hasSize(1);
            open(browser, site + "/mail/folders");
            browser.findElement(By.id("new-name")).sendKeys("報告");
            browser.findElement(By.id("create-submit")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("folders-done")));
            open(browser, site + "/mail");
            browser.findElement(By.cssSelector("input[name='uid']")).click();
            new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("move-target")))
                    .selectByVisibleText("報告");
            browser.findElement(By.id("move-selected")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("no-messages")));
            browser.findElement(By.cssSelector("#folder-tree a[data-folder='報告']")).click();
            wait.until(ExpectedConditions.textToBe(By.id("mailbox-name"), "報告"));
            assertThat(browser.findElement(By.cssSelector("a.open")).getText()).isEqualTo("研究報告");
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
            screenshot(browser, "folder");
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
            open(browser, browser.getCurrentUrl() + "?lang=ja");
            screenshot(browser, "phone-ja");
            open(browser, site + "/mail?lang=en");

            assertNoPolicyViolation(browser);
        } finally {
            browser.quit();
        }
    }

    @Test
    void aFormattedMessageShouldBeWrittenInTheEditorAndArriveAsHtmlWithItsText() throws Exception {
        WebDriver browser = browser();
        RunningHato.User user = hato.newUser("writer");
        RunningHato.User friend = hato.newUser("reader");
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            String site = "https://127.0.0.1:" + hato.httpsPort();
            logIn(browser, wait, site, user);
            open(browser, site + "/mail/compose");
            browser.findElement(By.id("to")).sendKeys(friend.address());
            browser.findElement(By.id("subject")).sendKeys("書式付き");
            browser.findElement(By.id("text")).sendKeys("最初の行");
            browser.findElement(By.cssSelector("label[for='format-html']")).click();
            WebElement editor = browser.findElement(By.id("editor"));
            wait.until(ExpectedConditions.visibilityOf(editor));
            assertThat(browser.findElement(By.id("text")).isDisplayed()).isFalse();
            assertThat(editor.getText()).isEqualTo("最初の行");
            editor.sendKeys(org.openqa.selenium.Keys.END, org.openqa.selenium.Keys.ENTER, "大事な");
            browser.findElement(By.cssSelector("#editor-toolbar [data-command='bold']")).click();
            editor.sendKeys("お知らせ");
            browser.findElement(By.cssSelector("#editor-toolbar [data-command='bold']")).click();
            editor.sendKeys(org.openqa.selenium.Keys.ENTER);
            browser.findElement(By.cssSelector("#editor-toolbar [data-command='insertUnorderedList']")).click();
            editor.sendKeys("資料", org.openqa.selenium.Keys.ENTER, "日程");
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
            screenshot(browser, "compose-html");
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1600));
            send(browser, wait);

            try (jakarta.mail.Store imap = MailFlowTest.imaps(hato, friend)) {
                jakarta.mail.internet.MimeMessage message = newest(imap);
                assertThat(message.getSubject()).isEqualTo("書式付き");
                assertThat(message.getContentType()).startsWithIgnoringCase("multipart/alternative");
                jakarta.mail.Multipart parts = (jakarta.mail.Multipart) message.getContent();
                assertThat(parts.getBodyPart(0).getContentType()).startsWithIgnoringCase("text/plain; charset=ISO-2022-JP");
                assertThat(parts.getBodyPart(0).getContent().toString().replace("\r\n", "\n"))
                        .isEqualTo("最初の行\n大事なお知らせ\n* 資料\n* 日程\n");
                assertThat(parts.getBodyPart(1).getContentType()).startsWithIgnoringCase("text/html; charset=UTF-8");
                assertThat(parts.getBodyPart(1).getContent().toString())
                        .containsPattern("<b>お知らせ</b>|<strong>お知らせ</strong>")
                        .contains("<ul><li>資料</li><li>日程</li></ul>");
            }
            assertNoPolicyViolation(browser);
        } finally {
            browser.quit();
        }
    }

    @Test
    void everyPageShouldPassTheAccessibilityRulesInBothLanguages() throws Exception {
        WebDriver browser = browser();
        RunningHato.User user = hato.newUser("access");
        assertThat(SmtpLines.send(hato.port("smtp"), "MAIL FROM:<hanako@remote.example>",
                "RCPT TO:<" + user.address() + ">", "DATA",
                "From: Hanako <hanako@remote.example>\r\nSubject: Accessible\r\nContent-Type: text/html\r\n\r\n"
                        + "<p>An <b>HTML</b> message</p>\r\n."))
                .last().asString().startsWith("250");
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            String site = "https://127.0.0.1:" + hato.httpsPort();
            java.util.Map<String, List<String>> found = new java.util.LinkedHashMap<>();
            open(browser, site + "/login");
            found.put("login", accessibilityViolations(browser));
            logIn(browser, wait, site, user);
            String message = browser.findElement(By.cssSelector("a.open")).getAttribute("href");
            for (String lang : List.of("en", "ja")) {
                for (String page : List.of("/mail", "/mail?sort=thread", message, "/mail/compose", "/mail/folders",
                        "/settings", "/settings/filters", "/settings/filters?text", "/contacts", "/contacts/edit",
                        "/contacts/edit?group", "/setup")) {
                    String url = (page.startsWith("/") ? site + page : page) + (page.contains("?") ? "&" : "?")
                            + "lang=" + lang;
                    open(browser, url);
                    found.put(lang + " " + page.replace(site, ""), accessibilityViolations(browser));
                }
            }
            found.values().removeIf(List::isEmpty);
            assertThat(found).as("axe-core violations by page").isEmpty();
        } finally {
            browser.quit();
        }
    }

    @Test
    void newMailShouldAppearWithoutReloadingAndTheKeyboardShouldOpenIt() throws Exception {
        WebDriver browser = browser();
        RunningHato.User user = hato.newUser("live");
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            String site = "https://127.0.0.1:" + hato.httpsPort();
            logIn(browser, wait, site, user);
            assertThat(browser.findElements(By.cssSelector("a.open"))).isEmpty();
            org.openqa.selenium.JavascriptExecutor script = (org.openqa.selenium.JavascriptExecutor) browser;
            script.executeScript("window.notReloaded = true");
            wait.until(ExpectedConditions.attributeToBe(By.id("main"), "data-live-open", "yes"));

            assertThat(SmtpLines.send(hato.port("smtp"), "MAIL FROM:<jiro@remote.example>",
                    "RCPT TO:<" + user.address() + ">", "DATA",
                    "From: Jiro <jiro@remote.example>\r\nSubject: =?UTF-8?B?"
                            + java.util.Base64.getEncoder().encodeToString("届きました".getBytes(
                                    java.nio.charset.StandardCharsets.UTF_8)) + "?=\r\n\r\nlive\r\n."))
                    .last().asString().startsWith("250");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rows"), "届きました"));
            assertThat(script.executeScript("return window.notReloaded === true")).as("no reload").isEqualTo(true);
            assertThat(browser.findElement(By.id("mailbox-counts")).getText()).isEqualTo("1 messages, 1 unread");
            assertThat(browser.findElement(By.cssSelector("#folder-tree .unread-count")).getText()).isEqualTo("1");

            // j selects the first message, o opens it, u goes back; ? shows the shortcuts.
            browser.findElement(By.tagName("body")).sendKeys("j");
            browser.switchTo().activeElement().sendKeys("o");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("message-subject")));
            assertThat(browser.findElement(By.id("message-subject")).getText()).isEqualTo("届きました");
            assertThat(browser.findElement(By.id("message-body-text")).getText()).isEqualTo("live");
            browser.findElement(By.tagName("body")).sendKeys("u");
            wait.until(ExpectedConditions.urlToBe(site + "/mail"));
            assertThat(browser.findElement(By.id("mailbox-counts")).getText()).isEqualTo("1 messages, 0 unread");
            browser.findElement(By.tagName("body")).sendKeys("?");
            assertThat(browser.findElement(By.id("shortcuts")).isDisplayed()).isTrue();

            assertNoPolicyViolation(browser);
        } finally {
            browser.quit();
        }
    }

    @Test
    void aPersonShouldLogInWithTheirAuthIdSeeTheirInboxAndLogOut() throws Exception {
        RunningHato.User user = hato.newUser("browser");
        assertThat(SmtpLines.send(hato.port("smtp"), "MAIL FROM:<hanako@remote.example>",
                "RCPT TO:<" + user.address() + ">", "DATA",
                "From: Hanako <hanako@remote.example>\r\nSubject: Welcome to webmail\r\n\r\nhello\r\n."))
                .last().asString().startsWith("250");

        WebDriver browser = browser();
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            String site = "https://127.0.0.1:" + hato.httpsPort();
            logIn(browser, wait, site, user);
            assertThat(browser.findElement(By.id("mailbox-counts")).getText()).isEqualTo("1 messages, 1 unread");
            assertThat(browser.findElement(By.cssSelector("tr.unseen td.subject")).getText())
                    .contains("Welcome to webmail");
            assertThat(browser.findElement(By.cssSelector("tr.unseen td.from")).getText()).isEqualTo("Hanako");
            assertThat(browser.findElement(By.id("signed-in-as")).getText()).isEqualTo(user.authId());
            assertThat(browser.findElement(By.cssSelector("tr.unseen td.subject")).getCssValue("font-weight"))
                    .as("the site's own style sheet applies").isEqualTo("600");

            browser.findElement(By.id("logout")).click();
            wait.until(ExpectedConditions.urlToBe(site + "/login?logout"));
            assertThat(browser.findElement(By.id("login-notice")).getText()).isEqualTo("You have logged out.");
            open(browser, site + "/mail");
            wait.until(ExpectedConditions.urlToBe(site + "/login"));

            assertNoPolicyViolation(browser);
        } finally {
            browser.quit();
        }
    }

    @Test
    void aVacationAndARuleSetInTheBrowserShouldApplyToTheNextMessage() throws Exception {
        RunningHato.User bob = hato.newUser("filters");
        RunningHato.User ann = hato.newUser("asker");
        WebDriver browser = browser();
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            String site = "https://127.0.0.1:" + hato.httpsPort();
            logIn(browser, wait, site, bob);
            browser.findElement(By.id("filters-link")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("filters-form")));
            browser.findElement(By.id("vacation-on")).click();
            browser.findElement(By.id("vacation-subject")).sendKeys("Away / 不在");
            browser.findElement(By.id("vacation-text")).sendKeys("Back on Monday.");
            List<org.openqa.selenium.WebElement> values = browser.findElements(By.name("value"));
            values.get(0).sendKeys("[seminar]");
            browser.findElements(By.name("argument")).get(0).sendKeys("Seminars");
            browser.findElement(By.id("filters-submit")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("filters-saved")));
            assertThat(browser.findElements(By.name("value")).get(0).getAttribute("value")).isEqualTo("[seminar]");
            assertNoPolicyViolation(browser);
        } finally {
            browser.quit();
        }

        assertThat(SmtpLines.send(hato.port("smtp"), "MAIL FROM:<" + ann.address() + ">",
                "RCPT TO:<" + bob.address() + ">", "DATA", "To: <" + bob.address() + ">\r\n"
                        + "Subject: [seminar] Friday\r\n\r\nSee you.\r\n.")).last().asString().startsWith("250");
        Eventually.until(() -> !hato.inbox(ann).isEmpty(), "a vacation response to " + ann.address(),
                Duration.ofSeconds(30));
        assertThat(new String(hato.content(hato.inbox(ann).get(0)), java.nio.charset.StandardCharsets.UTF_8))
                .contains("Auto-Submitted: auto-replied", "Back on Monday.");
        long seminars = hato.store().mailboxes().find(bob.accountId(), "Seminars").block(Duration.ofSeconds(30)).id();
        assertThat(hato.store().mailboxes().messages(bob.accountId(), seminars).collectList()
                .block(Duration.ofSeconds(30))).hasSize(1);
        assertThat(hato.inbox(bob)).isEmpty();
    }

    @Test
    void aContactAddedInTheBrowserShouldBeOfferedWhenWriting() throws Exception {
        RunningHato.User user = hato.newUser("book");
        WebDriver browser = browser();
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            String site = "https://127.0.0.1:" + hato.httpsPort();
            logIn(browser, wait, site, user);
            browser.findElement(By.id("contacts-link")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("contact-new"))).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("contact-name"))).sendKeys("山田 花子");
            browser.findElement(By.id("contact-emails")).sendKeys("hanako@example.jp");
            browser.findElement(By.id("contact-submit")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("contacts-saved")));
            assertThat(browser.findElement(By.id("contacts-list")).getText()).contains("山田 花子", "hanako@example.jp");

            browser.findElement(By.id("group-new")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("contact-name"))).sendKeys("Seminar");
            browser.findElement(By.id("member-0")).click();
            browser.findElement(By.id("contact-submit")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("contacts-saved")));
            assertThat(browser.findElement(By.id("contacts-list")).getText()).contains("Seminar");

            open(browser, site + "/mail/compose");
            assertThat(browser.getPageSource()).contains("山田 花子 &lt;hanako@example.jp&gt;");
            assertNoPolicyViolation(browser);
        } finally {
            browser.quit();
        }
    }
}
