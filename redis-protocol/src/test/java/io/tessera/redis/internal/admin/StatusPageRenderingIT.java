package io.tessera.redis.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.redis.testing.Chromium;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The status page in real headless Chromium, fed a status document with every field filled (what grid-core will
 * report; the grid does not fill all of it yet, so StatusPageIT cannot show it): heap bars, moving and lost
 * partitions, migrations with and without a known size, maps, membership events, the unknown as "—", a member name
 * that would be markup shown as text, and what the page does when the node stops answering. Screenshot:
 * {@code target/status-page/all-figures.png}.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StatusPageRenderingIT {
    private ChromeDriver browser;
    private AdminServer admin;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    void everyFigure_isRendered_andTheUnknownIsADash() {
        AtomicReference<String> status = new AtomicReference<>(StatusJson.write(SampleStatus.status(),
                Readiness.down("partition table not settled (5 SYNCING, 3 MIGRATING)"), SampleStatus.server(),
                SampleStatus.NOW));
        admin = AdminServer.start("127.0.0.1", 0, new AdminServer.Source() {
            @Override
            public String prometheusText() {
                return "";
            }

            @Override
            public Readiness readiness() {
                return Readiness.down("test");
            }

            @Override
            public String statusJson() {
                return status.get();
            }
        });
        browser = Chromium.start();
        browser.get("http://127.0.0.1:" + admin.address().getPort() + "/");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(browser.findElements(By.cssSelector("#members tbody tr[data-member]"))).hasSize(4));
        assertThat(states()).containsEntry("STABLE", 256L - SampleStatus.SYNCING - SampleStatus.MIGRATING
                        - SampleStatus.LOST)
                .containsEntry("SYNCING", (long) SampleStatus.SYNCING)
                .containsEntry("MIGRATING", (long) SampleStatus.MIGRATING)
                .containsEntry("LOST", (long) SampleStatus.LOST);
        assertThat(text("kpi-moving")).isEqualTo("8 / 2");
        assertThat(browser.findElement(By.id("readiness")).getText())
                .isEqualToIgnoringCase("not ready · partition table not settled (5 SYNCING, 3 MIGRATING)");

        List<WebElement> alpha = cellsOf("alpha");
        assertThat(alpha.get(0).getText()).contains("alpha").contains("this node").contains("coordinator");
        assertThat(alpha.get(1).getText()).isEqualTo("10.0.0.1:7800");
        assertThat(alpha.get(2).getText()).isEqualTo("1d 2h");
        assertThat(alpha.get(3).getText()).isEqualTo("310 MB / 1.0 GB");
        assertThat(alpha.get(4).getText()).isEqualTo("120,431");
        assertThat(cellsOf("charlie").get(2).getText()).isEqualTo("1m 15s");
        List<WebElement> odd = cellsOf(SampleStatus.ODD_NAME);
        assertThat(odd.get(0).getText()).as("markup in a name is text").startsWith("edge \"4\" <b>\\</b>");
        assertThat(browser.findElements(By.cssSelector("#members b"))).isEmpty();
        for (int column = 1; column <= 5; column++) {
            assertThat(odd.get(column).getText()).as("column %d", column).isEqualTo("—");
        }

        List<WebElement> migrations = browser.findElements(By.cssSelector("#migrations .migration"));
        assertThat(migrations).hasSize(2);
        assertThat(migrations.get(0).getText()).contains("partition 220", "→ alpha", "50% of 6.0 MB");
        assertThat(migrations.get(1).getText()).contains("684 KB copied");
        assertThat(migrations.get(1).findElement(By.cssSelector(".bar")).getAttribute("class"))
                .contains("indeterminate");
        // The empty map is counted, not listed; the others in natural order.
        assertThat(browser.findElements(By.cssSelector("#maps tbody tr[data-map]")))
                .extracting(row -> row.getAttribute("data-map")).containsExactly("redis-db-0", "sessions");
        assertThat(text("maps")).contains("1 empty map not shown").doesNotContain("redis-db-10");
        assertThat(text("maps")).contains("redis-db-0", "120,431", "48.0 MB", "1,502");
        List<WebElement> events = browser.findElements(By.cssSelector("#events li"));
        assertThat(events).hasSize(4);
        assertThat(events.get(0).getText()).as("newest first").containsIgnoringCase("joined").contains("charlie");
        assertThat(events.get(1).findElement(By.cssSelector(".kind")).getAttribute("class")).contains("kind-CRASHED");
        assertThat(browser.findElements(By.cssSelector("#legend .legend-item"))).hasSize(4);
        Chromium.screenshot(browser, "all-figures.png");

        status.set(null); // the node answers 503 "test" now
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(browser.findElement(By.id("banner")).isDisplayed()).isTrue();
            assertThat(text("banner")).contains("not serving its status: test");
        });
        admin.close();
        admin = null;
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(text("banner")).contains("Lost contact with the node");
            assertThat(browser.findElement(By.id("readiness")).getAttribute("data-ready")).isEqualTo("unknown");
        });
        Chromium.screenshot(browser, "lost-contact.png");
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private List<WebElement> cellsOf(String member) {
        for (WebElement row : browser.findElements(By.cssSelector("#members tbody tr[data-member]"))) {
            if (member.equals(row.getAttribute("data-member"))) {
                return row.findElements(By.tagName("td"));
            }
        }
        throw new AssertionError("no row for " + member);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Long> states() {
        return (Map<String, Long>) browser.executeScript("const counts = {};"
                + "document.querySelectorAll('#partition-grid .cell')"
                + ".forEach(c => counts[c.dataset.state] = (counts[c.dataset.state] || 0) + 1);"
                + "return counts;");
    }
}
