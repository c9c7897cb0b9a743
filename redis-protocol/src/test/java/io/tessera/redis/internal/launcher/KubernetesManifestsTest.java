package io.tessera.redis.internal.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.Grid;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.yaml.snakeyaml.Yaml;

/**
 * Keeps {@code deploy/kubernetes} and {@code deploy/Dockerfile} true to the code, since no test here runs them: the
 * probes ask the admin endpoints on the port the args give, the DNS query names the headless Service of the pod's
 * namespace, selectors match the pods' labels, the grace period covers the preStop delay and the graceful leave, the
 * flags are the launcher's, and the ports are those the stack binds.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KubernetesManifestsTest {
    private static final Path DEPLOY = Path.of(System.getProperty("basedir", ".")).resolve("../deploy").normalize();
    /** Closing the RESP server and the event loops, and disconnecting, after the hand-off itself. */
    private static final long LEAVE_MARGIN_SECONDS = 10;

    private static final Map<String, Map<String, Object>> byKind = new HashMap<>();
    private static final List<Map<String, Object>> services = new ArrayList<>();
    private static final List<String> manifestFiles = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        try (Stream<Path> files = Files.list(DEPLOY.resolve("kubernetes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                manifestFiles.add(file.getFileName().toString());
                try (Reader reader = Files.newBufferedReader(file)) {
                    for (Object document : new Yaml().loadAll(reader)) {
                        Map<String, Object> manifest = map(document);
                        String kind = (String) manifest.get("kind");
                        assertThat(kind).as("kind of a document in " + file).isNotBlank();
                        if (kind.equals("Service")) {
                            services.add(manifest);
                        } else {
                            assertThat(byKind.put(kind, manifest)).as("a second " + kind + " in " + file).isNull();
                        }
                    }
                }
            }
        }
    }

    @Test
    void kustomization_listsEveryManifest_andEachHasANameAndApiVersion() {
        List<Object> resources = list(byKind.get("Kustomization").get("resources"));
        assertThat(resources).containsExactlyInAnyOrderElementsOf(
                manifestFiles.stream().filter(f -> !f.equals("kustomization.yaml")).toList());
        List<Map<String, Object>> manifests = new ArrayList<>(services);
        byKind.forEach((kind, manifest) -> {
            if (!kind.equals("Kustomization")) {
                manifests.add(manifest);
            }
        });
        assertThat(manifests).hasSize(4).allSatisfy(m -> {
            assertThat(m.get("apiVersion")).isNotNull();
            assertThat(map(m.get("metadata")).get("name")).isNotNull();
        });
    }

    @Test
    void probes_askTheAdminEndpoints_onTheAdminPortTheArgsGive() {
        Map<String, Object> container = container();
        String adminPort = argValue("--admin-port");
        assertThat(argValue("--admin-bind")).as("the kubelet reaches the admin port from outside the pod")
                .isEqualTo("0.0.0.0");
        assertProbe(container, "readinessProbe", "/health/ready", adminPort);
        assertProbe(container, "livenessProbe", "/health/live", adminPort);
        assertProbe(container, "startupProbe", "/health/live", adminPort);
    }

    @Test
    void dnsQuery_namesTheHeadlessServiceOfThePodsNamespace_whichListsPodsBeforeTheyAreReady() {
        Map<String, Object> headless = headlessService();
        Map<String, Object> spec = map(headless.get("spec"));
        assertThat(spec.get("publishNotReadyAddresses")).isEqualTo(true);
        String name = (String) map(headless.get("metadata")).get("name");
        assertThat(map(byKind.get("StatefulSet").get("spec")).get("serviceName")).isEqualTo(name);

        assertThat(argValue("--stack")).isEqualTo("kubernetes");
        assertThat(argValue("--dns-query")).isEqualTo(name + ".$(POD_NAMESPACE).svc.cluster.local");
        assertThat(fieldRef("POD_NAMESPACE")).isEqualTo("metadata.namespace");
        assertThat(argValue("--grid-bind")).isEqualTo("$(POD_IP)");
        assertThat(fieldRef("POD_IP")).isEqualTo("status.podIP");
        assertThat(argValue("--name")).isEqualTo("$(POD_NAME)");
        assertThat(fieldRef("POD_NAME")).isEqualTo("metadata.name");
    }

    @Test
    void selectors_matchThePodsLabels_andTheBudgetLetsOneGo() {
        Map<String, Object> statefulSetSpec = map(byKind.get("StatefulSet").get("spec"));
        Map<String, Object> podLabels = map(map(map(statefulSetSpec.get("template")).get("metadata")).get("labels"));
        assertThat(podLabels).isNotEmpty();
        assertThat(podLabels).containsAllEntriesOf(map(map(statefulSetSpec.get("selector")).get("matchLabels")));
        Map<String, Object> budget = map(byKind.get("PodDisruptionBudget").get("spec"));
        assertThat(budget.get("maxUnavailable")).isEqualTo(1);
        Map<String, Object> budgetLabels = map(map(budget.get("selector")).get("matchLabels"));
        assertThat(budgetLabels).isNotEmpty();
        assertThat(podLabels).containsAllEntriesOf(budgetLabels);
        assertThat(services).hasSize(2).allSatisfy(service -> {
            Map<String, Object> selector = map(map(service.get("spec")).get("selector"));
            assertThat(selector).isNotEmpty();
            assertThat(podLabels).containsAllEntriesOf(selector);
        });
        assertThat(statefulSetSpec.get("replicas")).isEqualTo(3);
    }

    @Test
    void gracePeriod_coversThePreStopDelay_andTheLongestGracefulLeave() {
        Map<String, Object> podSpec = podSpec();
        int grace = (Integer) podSpec.get("terminationGracePeriodSeconds");
        List<Object> preStop = list(map(map(map(container().get("lifecycle")).get("preStop")).get("exec"))
                .get("command"));
        assertThat(preStop).hasSize(2).first().isEqualTo("sleep");
        long preStopSeconds = Long.parseLong(preStop.get(1).toString());
        assertThat(preStopSeconds).isPositive();
        assertThat((long) grace).as("terminationGracePeriodSeconds > preStop %s s + Grid.LEAVE_TIMEOUT %s s + %s s",
                preStopSeconds, Grid.LEAVE_TIMEOUT.toSeconds(), LEAVE_MARGIN_SECONDS)
                .isGreaterThan(preStopSeconds + Grid.LEAVE_TIMEOUT.toSeconds() + LEAVE_MARGIN_SECONDS);
    }

    @Test
    void args_areLauncherOptions_andThePortsAreTheOnesTheArgsAndTheStackBind() throws Exception {
        List<Object> args = list(container().get("args"));
        for (Object arg : args) {
            String text = arg.toString();
            if (text.startsWith("--")) {
                String key = text.substring(2);
                assertThat(Setting.ofKey(key))
                        .as("%s is a tessera-server option", text).isNotNull();
            }
        }
        Map<String, Integer> ports = containerPorts();
        assertThat(ports.get("resp")).isEqualTo(Integer.parseInt(argValue("--port")));
        assertThat(ports.get("admin")).isEqualTo(Integer.parseInt(argValue("--admin-port")));

        Document stack = kubernetesStack();
        Element tcp = (Element) stack.getElementsByTagName("TCP").item(0);
        int gridPort = Integer.parseInt(placeholderDefault(tcp.getAttribute("bind_port")));
        assertThat(tcp.getAttribute("port_range")).isEqualTo("0");
        assertThat(ports.get("grid")).isEqualTo(gridPort);
        Element fdSock = (Element) stack.getElementsByTagName("FD_SOCK2").item(0);
        assertThat(ports.get("grid-fd")).isEqualTo(gridPort + Integer.parseInt(fdSock.getAttribute("offset")));

        Map<String, String> targetPorts = new HashMap<>();
        for (Map<String, Object> service : services) {
            for (Object port : list(map(service.get("spec")).get("ports"))) {
                targetPorts.put((String) map(service.get("metadata")).get("name"),
                        map(port).get("targetPort").toString());
            }
        }
        assertThat(targetPorts).containsEntry("tessera-headless", "grid").containsEntry("tessera", "resp");
    }

    @Test
    void dockerfile_runsTheShadedJar_asANonRootUser() throws IOException {
        String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^FROM eclipse-temurin:17-jre$");
        Matcher copy = Pattern.compile("(?m)^COPY .*?(\\S+\\.jar) (\\S+)$").matcher(dockerfile);
        assertThat(copy.find()).as("a COPY of the jar").isTrue();
        assertThat(copy.group(1)).isEqualTo("redis-protocol/target/tessera-server.jar");
        assertThat(Files.readString(DEPLOY.resolve("../redis-protocol/pom.xml")))
                .contains("<finalName>tessera-server</finalName>");
        assertThat(dockerfile).contains("-jar " + copy.group(2));
        Matcher user = Pattern.compile("(?m)^USER (\\S+)$").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        String uid = user.group(1).split(":")[0];
        assertThat(uid).isNotIn("root", "0");
        assertThat(podSpec().get("securityContext").toString()).contains("runAsUser=" + uid, "runAsNonRoot=true");
        Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(dockerfile);
        assertThat(expose.find()).isTrue();
        assertThat(List.of(expose.group(1).trim().split("\\s+")))
                .containsExactlyInAnyOrderElementsOf(containerPorts().values().stream().map(String::valueOf).toList());
    }

    // ---------------------------------------------------------------------------------------------------------

    private static void assertProbe(Map<String, Object> container, String probe, String path, String adminPort) {
        Map<String, Object> httpGet = map(map(container.get(probe)).get("httpGet"));
        assertThat(httpGet.get("path")).as(probe + " path").isEqualTo(path);
        Object port = httpGet.get("port");
        int number = port instanceof Integer n ? n : containerPorts().get(port.toString());
        assertThat(number).as(probe + " port").isEqualTo(Integer.parseInt(adminPort));
    }

    private static Map<String, Object> headlessService() {
        List<Map<String, Object>> headless = services.stream()
                .filter(s -> "None".equals(map(s.get("spec")).get("clusterIP"))).toList();
        assertThat(headless).hasSize(1);
        return headless.get(0);
    }

    private static Map<String, Object> podSpec() {
        return map(map(map(byKind.get("StatefulSet").get("spec")).get("template")).get("spec"));
    }

    private static Map<String, Object> container() {
        List<Object> containers = list(podSpec().get("containers"));
        return containers.stream().map(KubernetesManifestsTest::map)
                .filter(c -> "tessera-server".equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no tessera-server container in " + containers));
    }

    /** The value after {@code option} in the container's args; fails unless it occurs exactly once. */
    private static String argValue(String option) {
        List<String> args = list(container().get("args")).stream().map(Object::toString).toList();
        assertThat(args).as("args").containsOnlyOnce(option);
        int i = args.indexOf(option);
        assertThat(i + 1).as(option + " has a value").isLessThan(args.size());
        return args.get(i + 1);
    }

    private static String fieldRef(String variable) {
        for (Object entry : list(container().get("env"))) {
            Map<String, Object> env = map(entry);
            if (variable.equals(env.get("name"))) {
                return (String) map(map(env.get("valueFrom")).get("fieldRef")).get("fieldPath");
            }
        }
        throw new AssertionError("no env " + variable + " in the tessera-server container");
    }

    private static Map<String, Integer> containerPorts() {
        Map<String, Integer> ports = new HashMap<>();
        for (Object port : list(container().get("ports"))) {
            ports.put((String) map(port).get("name"), (Integer) map(port).get("containerPort"));
        }
        return ports;
    }

    private static Document kubernetesStack() throws Exception {
        try (InputStream in = Grid.class.getResourceAsStream("/io/tessera/grid/stacks/kubernetes.xml")) {
            assertThat(in).as("grid-core's kubernetes stack").isNotNull();
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        }
    }

    /** {@code 7800} of {@code ${jgroups.bind_port:7800}}, or the value itself. */
    private static String placeholderDefault(String value) {
        Matcher m = Pattern.compile("\\$\\{[^:}]+:([^}]*)}").matcher(value);
        return m.matches() ? m.group(1) : value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<Object>) value;
    }
}
