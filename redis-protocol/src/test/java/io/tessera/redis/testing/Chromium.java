package io.tessera.redis.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Real headless Chromium for the status page tests: the system's {@code /usr/bin/chromium}, driven by the system's
 * {@code /usr/bin/chromedriver}. Both are named, so Selenium Manager never looks for (or downloads) a browser or a
 * driver; CI installs both ({@code .ci/run}).
 */
public final class Chromium {
    /** Where the status page tests save their screenshots. */
    public static final Path SCREENSHOTS = Path.of("target", "status-page");
    private static final String BINARY = "/usr/bin/chromium";
    private static final String DRIVER = "/usr/bin/chromedriver";
    private static final int WIDTH = 1440;

    private Chromium() {
    }

    /** A new headless browser with a 1440 pixel wide window; quit it after the test. */
    public static ChromeDriver start() {
        System.setProperty("webdriver.chrome.driver", DRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=" + WIDTH + ",1000", "--force-device-scale-factor=1");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /**
     * Saves the whole page as {@code target/status-page/name}: through the DevTools protocol, with the viewport grown
     * to the page's height (WebDriver's screenshot is of the window only).
     */
    public static Path screenshot(ChromeDriver browser, String name) {
        long height = (Long) browser.executeScript("return document.documentElement.scrollHeight;");
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", WIDTH, "height",
                Math.max(800, height), "deviceScaleFactor", 1, "mobile", false));
        try {
            Map<String, Object> shot = browser.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png"));
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name);
            Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }
}
