package io.tessera.redis.internal.launcher;

import static io.tessera.redis.testing.ServerProcesses.redisCli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.testing.Dnsmasq;
import io.tessera.grid.testing.MemberProcesses;
import io.tessera.redis.testing.ServerProcesses;
import io.tessera.redis.testing.ServerProcesses.ServerNode;
import io.tessera.redis.testing.ServerProcessesTestBase;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The StatefulSet of {@code deploy/kubernetes} without Kubernetes: three {@code tessera-server} processes run with the
 * container's own args, as the kubelet expands them for pods {@code tessera-0..2} of namespace {@code default} at
 * 127.0.0.1..3, and find each other through a dnsmasq that serves the headless Service's A records. What differs
 * from a pod, and why: the RESP port is a free one and bound to 127.0.0.1 (three processes share one host), the grid port is a free one instead of the stack's 7800 (the same on every address, as
 * A-record discovery needs), the DNS server is named ({@code --dns-address}; a pod uses the system's resolver), the
 * cluster name is unique to the run, and the admin port is a free one on the pod's address (three processes cannot
 * share 9090). The kubelet's probes are asked as it asks them: each pod's {@code /health/ready} and
 * {@code /health/live} on its admin port.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KubernetesStatefulSetIT extends ServerProcessesTestBase {
    private static final Path STATEFUL_SET = Path.of(System.getProperty("basedir", "."))
            .resolve("../deploy/kubernetes/statefulset.yaml").normalize();
    private static final List<String> POD_IPS = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3");
    private static final String NAMESPACE = "default";

    @Test
    void threePods_withTheManifestsArgs_findEachOtherThroughTheHeadlessServicesRecords_andServeOneKeySpace(
            @TempDir Path dir) throws Exception {
        List<String> args = containerArgs();
        String query = expand(value(args, "--dns-query"), 0);
        assertThat(query).isEqualTo("tessera-headless.default.svc.cluster.local");
        List<String> records = POD_IPS.stream().map(ip -> "--host-record=" + query + "," + ip).toList();
        int gridPort = MemberProcesses.freePortBase(1, POD_IPS);
        String cluster = "k8s-it-" + UUID.randomUUID();

        try (Dnsmasq dns = Dnsmasq.start(dir, records)) {
            Map<String, List<String>> podArgsByName = new LinkedHashMap<>();
            for (int i = 0; i < POD_IPS.size(); i++) {
                List<String> podArgs = new ArrayList<>();
                for (String arg : args) {
                    podArgs.add(expand(arg, i));
                }
                set(podArgs, "--port", "0");
                set(podArgs, "--admin-port", "0");
                set(podArgs, "--admin-bind", POD_IPS.get(i));
                set(podArgs, "--bind", "127.0.0.1");
                set(podArgs, "--cluster-name", cluster);
                podArgs.addAll(List.of("--grid-port", Integer.toString(gridPort), "--dns-address", dns.address()));
                podArgsByName.put("tessera-" + i, podArgs);
            }
            // podManagementPolicy: Parallel.
            List<ServerNode> pods = processes.startAtOnce(podArgsByName);
            ServerProcesses.awaitSettled(pods, Duration.ofSeconds(90));

            for (int i = 0; i < pods.size(); i++) {
                assertThat(pods.get(i).output()).contains("stack=kubernetes")
                        .contains("grid-bind=" + POD_IPS.get(i))
                        .contains("dns-query=" + query + " dns-address=" + dns.address())
                        .contains("node tessera-" + i + " ready");
            }
            assertThat(dns.output()).as("the pods asked the DNS server").contains("query[A] " + query);
            for (int i = 0; i < pods.size(); i++) {
                String admin = "http://" + POD_IPS.get(i) + ":" + pods.get(i).adminPort();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(probe(admin + "/health/ready").statusCode()).isEqualTo(200));
                assertThat(probe(admin + "/health/live").body()).isEqualTo("{\"status\":\"UP\"}");
            }
            assertThat(redisCli(pods.get(0).port(), "set", "k8s:key", "v").stdout()).isEqualTo("OK\n");
            assertThat(redisCli(pods.get(2).port(), "get", "k8s:key").stdout()).isEqualTo("v\n");
            assertThat(redisCli(pods.get(1).port(), "dbsize").stdout()).isEqualTo("1\n");
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> probe(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** What the kubelet makes of {@code $(POD_...)} for pod {@code tessera-<i>}. */
    private static String expand(String arg, int i) {
        return arg.replace("$(POD_NAMESPACE)", NAMESPACE).replace("$(POD_IP)", POD_IPS.get(i))
                .replace("$(POD_NAME)", "tessera-" + i);
    }

    private static String value(List<String> args, String option) {
        int i = args.indexOf(option);
        assertThat(i).as(option + " in the args").isNotNegative();
        return args.get(i + 1);
    }

    private static void set(List<String> args, String option, String value) {
        int i = args.indexOf(option);
        assertThat(i).as(option + " in the args").isNotNegative();
        args.set(i + 1, value);
    }

    @SuppressWarnings("unchecked")
    private static List<String> containerArgs() throws Exception {
        Map<String, Object> statefulSet;
        try (Reader reader = Files.newBufferedReader(STATEFUL_SET)) {
            statefulSet = new Yaml().load(reader);
        }
        Map<String, Object> template = (Map<String, Object>) ((Map<String, Object>) statefulSet.get("spec"))
                .get("template");
        List<Map<String, Object>> containers = (List<Map<String, Object>>) ((Map<String, Object>) template
                .get("spec")).get("containers");
        Map<String, Object> container = containers.stream().filter(c -> "tessera-server".equals(c.get("name")))
                .findFirst().orElseThrow();
        return ((List<Object>) container.get("args")).stream().map(Object::toString).toList();
    }
}
