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

    @Test
    void aPersonShouldLogInWithTheirAuthIdSeeTheirInboxAndLogOut() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: Debian's chromium and chromium-driver are not installed (/usr/bin/chromium, "
                        + "/usr/bin/chromedriver); .ci/run installs them");
        RunningHato.User user = hato.newUser("browser");
        assertThat(SmtpLines.send(hato.port("smtp"), "MAIL FROM:<hanako@remote.example>",
                "RCPT TO:<" + user.address() + ">", "DATA",
                "From: Hanako <hanako@remote.example>\r\nSubject: Welcome to webmail\r\n\r\nhello\r\n."))
                .last().asString().startsWith("250");

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1024,768", "--lang=en-US");
        options.setAcceptInsecureCerts(true);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(service, options);
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            String site = "https://127.0.0.1:" + hato.httpsPort();
            browser.get(site + "/mail");
            wait.until(ExpectedConditions.urlToBe(site + "/login"));

            browser.findElement(By.id("username")).sendKeys(user.authId());
            browser.findElement(By.id("password")).sendKeys(user.password());
            browser.findElement(By.id("login-submit")).click();

            wait.until(ExpectedConditions.urlToBe(site + "/mail"));
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
            browser.get(site + "/mail");
            wait.until(ExpectedConditions.urlToBe(site + "/login"));

            List<LogEntry> console = browser.manage().logs().get(LogType.BROWSER).getAll();
            assertThat(console).extracting(LogEntry::getMessage).as("the browser console")
                    .noneMatch(message -> message.contains("Content Security Policy")
                            || message.contains("Refused to"));
        } finally {
            browser.quit();
        }
    }
}
