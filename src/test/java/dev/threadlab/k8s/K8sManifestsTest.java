package dev.threadlab.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.threadlab.config.ThreadlabConfig;
import dev.threadlab.testing.ExportedMetrics;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.SmallRyeConfig;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Kubernetes manifests fit the service they deploy. Checks every overlay rendered into target/k8s by
 * {@code deploy/k8s/check.sh} (run by {@code .ci/run} before the tests; it also validates them against the
 * Kubernetes, Prometheus Operator and KEDA schemas), and always the raw base. Under CI, or once target/k8s exists,
 * every overlay must have been rendered.
 */
@QuarkusTest
class K8sManifestsTest {

    @Inject
    SmallRyeConfig config;

    @ConfigProperty(name = "threadlab.shutdown.delay")
    Duration shutdownDelay;

    @ConfigProperty(name = "threadlab.shutdown.drain")
    Duration shutdownDrain;

    private static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode document = it.next();
                if (document != null && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }

    /** Each manifest set to check: the rendered overlays if any, and the base. */
    private static Map<String, List<JsonNode>> manifestSets() throws IOException {
        Map<String, List<JsonNode>> sets = new LinkedHashMap<>();
        Path rendered = Path.of("target", "k8s");
        if (Files.isDirectory(rendered) || System.getenv("CI") != null) {
            try (Stream<Path> overlays = Files.list(Path.of("k8s", "overlays"))) {
                for (Path overlay : overlays.filter(Files::isDirectory).toList()) {
                    Path file = rendered.resolve(overlay.getFileName() + ".yaml");
                    assertTrue(Files.isRegularFile(file), "overlay " + overlay + " is not rendered into " + file
                            + ": run bash deploy/k8s/check.sh");
                }
            }
            try (Stream<Path> files = Files.list(rendered)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                    sets.put(file.getFileName().toString(), read(file));
                }
            }
        }
        List<JsonNode> base = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("k8s", "base"))) {
            for (Path file : files.filter(f -> !f.getFileName().toString().equals("kustomization.yaml")).sorted().toList()) {
                base.addAll(read(file));
            }
        }
        sets.put("base (raw)", base);
        return sets;
    }

    private static JsonNode only(List<JsonNode> documents, String kind) {
        List<JsonNode> found = documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
        assertEquals(1, found.size(), "one " + kind);
        return found.get(0);
    }

    private static JsonNode named(List<JsonNode> documents, String kind, String name) {
        List<JsonNode> found = all(documents, kind).stream()
                .filter(d -> name.equals(d.path("metadata").path("name").asText())).toList();
        assertEquals(1, found.size(), "one " + kind + " named " + name);
        return found.get(0);
    }

    /** threadlab's own object of this kind (the demo overlay also runs a Deployment and a Service for Redis). */
    private static JsonNode threadlab(List<JsonNode> documents, String kind) {
        return named(documents, kind, "threadlab");
    }

    private static JsonNode container(JsonNode deployment) {
        return deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }

    private static boolean labelsMatch(JsonNode selector, JsonNode labels) {
        Iterator<Map.Entry<String, JsonNode>> fields = selector.fields();
        boolean any = false;
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> entry = fields.next();
            any = true;
            if (!entry.getValue().asText().equals(labels.path(entry.getKey()).asText(null))) {
                return false;
            }
        }
        return any;
    }

    private static String configuredProperty(String name) {
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(Path.of("src", "main", "resources", "application.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return properties.getProperty(name);
    }

    private static List<JsonNode> all(List<JsonNode> documents, String kind) {
        return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    @Test
    void everyManifestSetFitsTheService() throws IOException {
        Map<String, List<JsonNode>> sets = manifestSets();
        Set<String> withKeda = new TreeSet<>();
        for (Map.Entry<String, List<JsonNode>> set : sets.entrySet()) {
            checkJobStore(set.getKey(), set.getValue());   // first: its failures say more than check's env names
            check(set.getKey(), set.getValue());
            checkAutoscaling(set.getKey(), set.getValue());
            checkReadiness(set.getKey(), set.getValue());
            checkScraping(set.getKey(), set.getValue());
            checkAdminToken(set.getKey(), set.getValue());
            if (includesComponent(set.getKey(), KEDA_COMPONENT)) {
                withKeda.add(set.getKey());
            }
        }
        // the KEDA component is checked only through an overlay that includes it (deploy/k8s/check.sh insists on one)
        if (sets.size() > 1 && Files.isDirectory(KEDA_COMPONENT)) {
            assertFalse(withKeda.isEmpty(), "no rendered overlay includes " + KEDA_COMPONENT + ": its ScaledObject goes unchecked");
        }
    }

    private static final Path KEDA_COMPONENT = Path.of("k8s", "components", "keda");

    /**
     * What each overlay is for, beyond the rules every set follows: kind runs one pod on the default memory store;
     * demo runs several on the shared Redis store, scaled by its HorizontalPodAutoscaler; demo-keda is demo with a
     * ScaledObject in place of that HPA and nothing else changed, so the two autoscalers are never applied together.
     */
    @Test
    void eachOverlayKeepsItsShape() throws IOException {
        Map<String, List<JsonNode>> sets = manifestSets();
        assumeTrue(sets.size() > 1, "overlays not rendered: run bash deploy/k8s/check.sh");

        List<JsonNode> kind = rendered(sets, "kind");
        assertEquals(1, threadlab(kind, "Deployment").path("spec").path("replicas").asInt(),
                "kind: one replica (the memory store is not shared)");
        assertEquals("memory", threadlabEnv(kind).getOrDefault("THREADLAB_STORE", "memory"), "kind: the memory store");
        assertEquals(List.of(), autoscalers(kind), "kind: no autoscaler");
        assertEquals(List.of("threadlab"), all(kind, "Deployment").stream()
                .map(d -> d.path("metadata").path("name").asText()).toList(), "kind: no Redis");

        List<JsonNode> demo = rendered(sets, "demo");
        assertEquals("redis", threadlabEnv(demo).get("THREADLAB_STORE"), "demo: THREADLAB_STORE");
        assertEquals(List.of("HorizontalPodAutoscaler threadlab"), autoscalers(demo), "demo: its autoscaler");
        named(demo, "Deployment", "threadlab-redis");
        named(demo, "Service", "threadlab-redis");

        List<JsonNode> keda = rendered(sets, "demo-keda");
        assertEquals(List.of("ScaledObject threadlab"), autoscalers(keda), "demo-keda: its autoscaler");
        assertEquals(without(demo, "HorizontalPodAutoscaler"), without(keda, "ScaledObject"),
                "demo-keda is the demo overlay with its HPA replaced by a ScaledObject, nothing else changed");
    }

    private static List<JsonNode> rendered(Map<String, List<JsonNode>> sets, String overlay) {
        List<JsonNode> documents = sets.get(overlay + ".yaml");
        assertNotNull(documents, "k8s/overlays/" + overlay + " is not rendered: is it gone?");
        return documents;
    }

    /** "Kind name" of each HorizontalPodAutoscaler and ScaledObject, in order. */
    private static List<String> autoscalers(List<JsonNode> documents) {
        return documents.stream().filter(d -> Set.of("HorizontalPodAutoscaler", "ScaledObject").contains(d.path("kind").asText()))
                .map(d -> d.path("kind").asText() + " " + d.path("metadata").path("name").asText()).toList();
    }

    private static List<JsonNode> without(List<JsonNode> documents, String kind) {
        return documents.stream().filter(d -> !kind.equals(d.path("kind").asText())).toList();
    }

    /** threadlab's environment as literal values: its ConfigMap, then the container's own env (which wins). */
    private static Map<String, String> threadlabEnv(List<JsonNode> documents) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode configMap : all(documents, "ConfigMap")) {
            if (configMap.path("metadata").path("name").asText().equals("threadlab-config")) {
                configMap.path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
            }
        }
        for (JsonNode variable : container(threadlab(documents, "Deployment")).path("env")) {
            if (variable.has("value")) {
                env.put(variable.path("name").asText(), variable.path("value").asText());
            }
        }
        return env;
    }

    /** Whether the overlay rendered into this set (demo-keda.yaml: k8s/overlays/demo-keda) lists the component. */
    private static boolean includesComponent(String set, Path component) throws IOException {
        if (!set.endsWith(".yaml")) {
            return false;   // the raw base
        }
        Path overlay = Path.of("k8s", "overlays", set.substring(0, set.length() - ".yaml".length()));
        JsonNode kustomization = new YAMLMapper().readTree(overlay.resolve("kustomization.yaml").toFile());
        for (JsonNode entry : kustomization.path("components")) {
            if (overlay.resolve(entry.asText()).normalize().equals(component.normalize())) {
                return true;
            }
        }
        return false;
    }

    /**
     * One autoscaler at most per Deployment, and it alone sets the replica count: a HorizontalPodAutoscaler, or a KEDA
     * ScaledObject, which makes an HPA of its own (KEDA refuses a ScaledObject for a Deployment that another HPA
     * scales; two would fight). The Deployment carries no replicas, or every apply resets them. An overlay with the
     * KEDA component has a ScaledObject and no HPA.
     */
    private void checkAutoscaling(String name, List<JsonNode> documents) throws IOException {
        Map<String, String> scaledBy = new LinkedHashMap<>();   // Deployment name -> its autoscaler
        for (JsonNode hpa : all(documents, "HorizontalPodAutoscaler")) {
            JsonNode target = hpa.path("spec").path("scaleTargetRef");
            String autoscaler = "HorizontalPodAutoscaler " + hpa.path("metadata").path("name").asText();
            String where = name + ": " + autoscaler + ": ";
            assertEquals("apps/v1", target.path("apiVersion").asText(), where + "scaleTargetRef.apiVersion");
            assertEquals("Deployment", target.path("kind").asText(), where + "scaleTargetRef.kind");
            scaledDeployment(where, documents, target.path("name").asText(), autoscaler, scaledBy);
            int min = hpa.path("spec").path("minReplicas").asInt(1);
            assertTrue(min >= 2, where + "minReplicas " + min + " < 2: one pod means an outage at every disruption");
            assertTrue(hpa.path("spec").path("maxReplicas").asInt() >= min, where + "maxReplicas < minReplicas");
        }
        for (JsonNode scaledObject : all(documents, "ScaledObject")) {
            JsonNode spec = scaledObject.path("spec");
            JsonNode target = spec.path("scaleTargetRef");
            String autoscaler = "ScaledObject " + scaledObject.path("metadata").path("name").asText();
            String where = name + ": " + autoscaler + ": ";
            // KEDA's defaults when omitted: apps/v1 Deployment
            assertEquals("apps/v1", target.path("apiVersion").asText("apps/v1"), where + "scaleTargetRef.apiVersion");
            assertEquals("Deployment", target.path("kind").asText("Deployment"), where + "scaleTargetRef.kind");
            JsonNode deployment = scaledDeployment(where, documents, target.path("name").asText(), autoscaler, scaledBy);
            int min = spec.path("minReplicaCount").asInt(0);   // KEDA's default is 0: scale to zero
            assertTrue(min >= 2, where + "minReplicaCount " + min + " < 2: one pod means an outage at every disruption");
            assertTrue(spec.path("maxReplicaCount").asInt(100) >= min, where + "maxReplicaCount < minReplicaCount");
            checkTriggers(where, spec.path("triggers"), deployment);
        }
        if (includesComponent(name, KEDA_COMPONENT)) {
            assertFalse(all(documents, "ScaledObject").isEmpty(), name + ": includes " + KEDA_COMPONENT + " but has no ScaledObject");
            assertEquals(List.of(), all(documents, "HorizontalPodAutoscaler").stream()
                            .map(hpa -> hpa.path("metadata").path("name").asText()).toList(),
                    name + ": includes " + KEDA_COMPONENT + ", whose ScaledObject makes its own HPA, yet keeps these");
        }
    }

    /** The Deployment an autoscaler scales: in this set, carrying no replica count, scaled by nothing else. */
    private static JsonNode scaledDeployment(String where, List<JsonNode> documents, String target, String autoscaler,
                                             Map<String, String> scaledBy) {
        List<JsonNode> deployments = all(documents, "Deployment").stream()
                .filter(d -> d.path("metadata").path("name").asText().equals(target)).toList();
        assertEquals(1, deployments.size(), where + "scales Deployment " + target + ", not in this set");
        assertFalse(deployments.get(0).path("spec").has("replicas"),
                where + "its Deployment sets spec.replicas, which fights the autoscaler on every apply");
        String other = scaledBy.put(target, autoscaler);
        assertTrue(other == null, where + "Deployment " + target + " is also scaled by " + other
                + ": two autoscalers fight over its replica count (KEDA's ScaledObject makes an HPA of its own)");
        return deployments.get(0);
    }

    private static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");

    /** The metric names a PromQL expression selects: names neither called (functions) nor keywords nor labels. */
    static Set<String> metricNames(String query) {
        String q = query.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")   // string literals
                .replaceAll("\\{[^}]*}", "{}")                                   // label matchers
                .replaceAll("\\[[^\\]]*]", "[]")                                // range durations
                .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");   // label lists
        Set<String> names = new TreeSet<>();
        Matcher matcher = Pattern.compile("(?<![0-9.a-zA-Z_:])[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(q);
        while (matcher.find()) {
            String rest = q.substring(matcher.end());
            if (!rest.matches("(?s)\\s*\\(.*") && !PROMQL_WORDS.contains(matcher.group().toLowerCase(Locale.ROOT))) {
                names.add(matcher.group());
            }
        }
        return names;
    }

    private static double positiveNumber(String where, JsonNode value) {
        assertFalse(value.isMissingNode() || value.isNull(), where + " is missing");
        try {
            double number = Double.parseDouble(value.asText(""));
            assertTrue(number > 0, where + " " + value + " is not above 0");
            return number;
        } catch (NumberFormatException e) {
            throw new AssertionError(where + " " + value + " is not a number (KEDA reads it as one, from a string)");
        }
    }

    /**
     * What KEDA's schema leaves open (a trigger's metadata is a free map of strings, read by each scaler at run time):
     * a prometheus trigger asks a Prometheus (an http URL) a query that aggregates to one number and selects only
     * metrics the service exports, against a positive threshold; cpu and memory triggers need that resource's
     * requests on the container (KEDA's webhook refuses them otherwise). A trigger type not known here fails: add
     * its checks.
     */
    private void checkTriggers(String where, JsonNode triggers, JsonNode deployment) {
        assertFalse(triggers.isEmpty(), where + "no triggers");
        Set<String> exported = ExportedMetrics.names();
        boolean prometheus = false;
        for (JsonNode trigger : triggers) {
            String type = trigger.path("type").asText();
            JsonNode metadata = trigger.path("metadata");
            String at = where + "trigger " + type + ": ";
            switch (type) {
                case "prometheus" -> {
                    prometheus = true;
                    URI server = URI.create(metadata.path("serverAddress").asText(""));
                    assertTrue(("http".equals(server.getScheme()) || "https".equals(server.getScheme())) && server.getHost() != null,
                            at + "serverAddress " + server + " is no http(s) URL of a Prometheus");
                    String query = metadata.path("query").asText("");
                    assertTrue(query.strip().matches("(?s)(sum|max|min|avg|count)\\b.*"),
                            at + "query " + query + " must aggregate to one number (KEDA takes a single element)");
                    Set<String> named = metricNames(query);
                    assertTrue(named.stream().anyMatch(m -> m.startsWith("threadlab_")),
                            at + "query " + query + " selects no threadlab metric (it selects " + named + ")");
                    Set<String> missing = new TreeSet<>(named);
                    missing.removeAll(exported);
                    assertEquals(Set.of(), missing, at + "query " + query + " selects metrics that /q/metrics lacks");
                    positiveNumber(at + "threshold", metadata.path("threshold"));
                    assertTrue(Set.of("AverageValue", "Value").contains(trigger.path("metricType").asText("AverageValue")),
                            at + "metricType " + trigger.path("metricType"));
                }
                case "cpu", "memory" -> {
                    positiveNumber(at + "value", metadata.path("value"));
                    assertTrue(Set.of("Utilization", "AverageValue").contains(trigger.path("metricType").asText()),
                            at + "metricType " + trigger.path("metricType") + ": Utilization or AverageValue");
                    assertNotNull(container(deployment).path("resources").path("requests").get(type),
                            at + "the container requests no " + type + ": KEDA refuses the ScaledObject");
                }
                default -> fail(at + "not checked here: add what its metadata must hold");
            }
        }
        assertTrue(prometheus, where + "no prometheus trigger: the ScaledObject is there to scale on the jobs in flight");
    }

    /**
     * The job store: more than one pod needs the shared one (THREADLAB_STORE=redis), or a job is known to the pod that
     * accepted it only and the others answer 404. Its address, QUARKUS_REDIS_HOSTS, names a Service of the set and
     * one of its ports, which selects a Redis Deployment serving that port: one replica, no persistence, no eviction,
     * the same restrictions as threadlab's own pods. The service under test must know both variables.
     */
    private void checkJobStore(String name, List<JsonNode> documents) {
        JsonNode deployment = threadlab(documents, "Deployment");
        Map<String, String> env = threadlabEnv(documents);
        String store = env.getOrDefault("THREADLAB_STORE", "memory");   // threadlab.store's default
        boolean autoscaled = documents.stream().anyMatch(d -> Set.of("HorizontalPodAutoscaler", "ScaledObject")
                .contains(d.path("kind").asText()) && d.path("spec").path("scaleTargetRef").path("name").asText().equals("threadlab"));
        int replicas = deployment.path("spec").path("replicas").asInt(1);
        if (!store.equals("redis")) {
            assertFalse(autoscaled || replicas > 1, name + ": several threadlab pods with the " + store + " store: a job "
                    + "is known only to the pod that accepted it; set THREADLAB_STORE=redis and QUARKUS_REDIS_HOSTS");
            return;
        }
        assertTrue(isProperty().test("THREADLAB_STORE") && isProperty().test("QUARKUS_REDIS_HOSTS"), name
                + ": THREADLAB_STORE=redis, but the service under test has no threadlab.store or no Redis client "
                + "(quarkus.redis.hosts): it would ignore both, and each pod would keep its jobs to itself");
        String hosts = env.get("QUARKUS_REDIS_HOSTS");
        assertNotNull(hosts, name + ": THREADLAB_STORE=redis without QUARKUS_REDIS_HOSTS");
        URI address = URI.create(hosts);
        assertTrue(Set.of("redis", "rediss").contains(address.getScheme()), name + ": QUARKUS_REDIS_HOSTS " + hosts);
        String serviceName = address.getHost().split("\\.")[0];   // threadlab-redis or threadlab-redis.<namespace>.svc...
        int port = address.getPort() == -1 ? 6379 : address.getPort();
        String where = name + ": QUARKUS_REDIS_HOSTS " + hosts + ": ";
        List<JsonNode> services = all(documents, "Service").stream()
                .filter(d -> serviceName.equals(d.path("metadata").path("name").asText())).toList();
        assertEquals(1, services.size(), where + "no Service " + serviceName + " in this set");
        JsonNode service = services.get(0);
        JsonNode servicePort = null;
        for (JsonNode p : service.path("spec").path("ports")) {
            servicePort = p.path("port").asInt() == port ? p : servicePort;
        }
        assertNotNull(servicePort, where + "Service " + serviceName + " has no port " + port);
        List<JsonNode> redis = all(documents, "Deployment").stream().filter(d -> labelsMatch(service.path("spec").path("selector"),
                d.path("spec").path("template").path("metadata").path("labels"))).toList();
        assertEquals(1, redis.size(), where + "Service " + serviceName + " selects the pods of one Deployment");
        JsonNode pod = redis.get(0).path("spec").path("template");
        JsonNode redisContainer = container(redis.get(0));
        JsonNode targetPort = servicePort.path("targetPort").isMissingNode() ? servicePort.path("port") : servicePort.path("targetPort");
        boolean served = false;
        for (JsonNode p : redisContainer.path("ports")) {
            served |= targetPort.isInt() ? p.path("containerPort").asInt() == targetPort.asInt()
                    : p.path("name").asText().equals(targetPort.asText());
        }
        assertTrue(served, where + "no container port " + targetPort + " in the pods of Service " + serviceName);

        String atRedis = name + ": the Redis Deployment " + redis.get(0).path("metadata").path("name").asText() + ": ";
        assertEquals(1, redis.get(0).path("spec").path("replicas").asInt(1), atRedis + "one store, or the pods split between stores");
        assertEquals("Recreate", redis.get(0).path("spec").path("strategy").path("type").asText(),
                atRedis + "a rollout must not run two stores side by side (strategy Recreate)");
        List<String> args = new ArrayList<>();
        redisContainer.path("args").forEach(a -> args.add(a.asText()));
        int save = args.indexOf("--save");
        int appendonly = args.indexOf("--appendonly");
        assertTrue(save >= 0 && save + 1 < args.size() && args.get(save + 1).isEmpty(), atRedis + "snapshots not off (--save '') in " + args);
        assertTrue(appendonly >= 0 && appendonly + 1 < args.size() && args.get(appendonly + 1).equals("no"),
                atRedis + "append-only file not off (--appendonly no) in " + args);
        int policy = args.indexOf("--maxmemory-policy");
        assertTrue(policy >= 0 && policy + 1 < args.size() && args.get(policy + 1).equals("noeviction"),
                atRedis + "no --maxmemory-policy noeviction in " + args + ": an evicted key is a job that silently disappears");
        checkPodSecurity(atRedis, pod, redisContainer, "/data");
    }

    /**
     * Readiness tolerates one missed probe, and still takes the pod out of its Service within the shutdown delay
     * (readiness is DOWN from SIGTERM on, while the service keeps serving for that delay).
     */
    private void checkReadiness(String name, List<JsonNode> documents) {
        JsonNode probe = container(threadlab(documents, "Deployment")).path("readinessProbe");
        int failureThreshold = probe.path("failureThreshold").asInt(3);   // Kubernetes' defaults
        int periodSeconds = probe.path("periodSeconds").asInt(10);
        assertTrue(failureThreshold >= 2, name + ": readiness failureThreshold " + failureThreshold
                + ": one slow answer takes the pod out of service");
        assertTrue(failureThreshold * periodSeconds < shutdownDelay.toSeconds(), name + ": readiness takes up to "
                + failureThreshold * periodSeconds + " s to see DOWN, not within the shutdown delay " + shutdownDelay);
    }

    /**
     * Scraped one way, and that way works: a ServiceMonitor selects the Service by its labels and names one of its
     * ports, and pods it scrapes carry no prometheus.io annotations (a Prometheus that honours both would scrape them
     * twice); annotations, where used, name the HTTP port and the metrics path.
     */
    private void checkScraping(String name, List<JsonNode> documents) {
        JsonNode service = threadlab(documents, "Service");
        JsonNode pod = threadlab(documents, "Deployment").path("spec").path("template");
        Set<String> portNames = new HashSet<>();
        service.path("spec").path("ports").forEach(p -> portNames.add(p.path("name").asText()));
        List<JsonNode> monitors = all(documents, "ServiceMonitor");
        for (JsonNode monitor : monitors) {
            String where = name + ": ServiceMonitor " + monitor.path("metadata").path("name").asText() + ": ";
            assertTrue(labelsMatch(monitor.path("spec").path("selector").path("matchLabels"), service.path("metadata").path("labels")),
                    where + "selector does not match the Service's labels");
            assertTrue(monitor.path("spec").path("selector").path("matchExpressions").isMissingNode(),
                    where + "matchExpressions are not checked here: select by matchLabels");
            assertFalse(monitor.path("metadata").path("labels").path("release").asText("").isEmpty(),
                    where + "no release label: kube-prometheus-stack's Prometheus selects ServiceMonitors by it");
            assertFalse(monitor.path("spec").path("endpoints").isEmpty(), where + "no endpoints");
            for (JsonNode endpoint : monitor.path("spec").path("endpoints")) {
                assertTrue(portNames.contains(endpoint.path("port").asText()),
                        where + "endpoint port " + endpoint.path("port") + " is none of the Service's ports " + portNames);
                String path = endpoint.path("path").asText("/metrics");
                assertEquals(200, given().get(path).statusCode(), where + "endpoint path " + path + " on the service");
            }
        }
        JsonNode annotations = pod.path("metadata").path("annotations");
        boolean annotated = false;
        for (Iterator<String> keys = annotations.fieldNames(); keys.hasNext(); ) {
            annotated |= keys.next().startsWith("prometheus.io/");
        }
        assertFalse(annotated && !monitors.isEmpty(),
                name + ": pods carry prometheus.io annotations and a ServiceMonitor scrapes them: scraped twice");
        if (annotated) {
            assertEquals("true", annotations.path("prometheus.io/scrape").asText(), name + ": prometheus.io/scrape");
            assertEquals(configuredProperty("quarkus.http.port"), annotations.path("prometheus.io/port").asText(),
                    name + ": prometheus.io/port");
            String path = annotations.path("prometheus.io/path").asText("/metrics");
            assertEquals(200, given().get(path).statusCode(), name + ": prometheus.io/path " + path + " on the service");
        }
    }

    /** The admin token comes from a Secret (optional: without it the pod starts and admin stays closed), never a literal. */
    private void checkAdminToken(String name, List<JsonNode> documents) {
        JsonNode container = container(threadlab(documents, "Deployment"));
        JsonNode token = null;
        for (JsonNode env : container.path("env")) {
            String variable = env.path("name").asText();
            if (variable.matches(".*(TOKEN|PASSWORD|SECRET).*")) {
                assertFalse(env.has("value"), name + ": env " + variable + " has a literal value: take it from a Secret");
                assertTrue(env.path("valueFrom").has("secretKeyRef"), name + ": env " + variable + " is not from a Secret");
            }
            if (variable.equals("THREADLAB_ADMIN_TOKEN")) {
                token = env;
            }
        }
        assertNotNull(token, name + ": no THREADLAB_ADMIN_TOKEN: admin operations could never be opened");
        assertTrue(token.path("valueFrom").path("secretKeyRef").path("optional").asBoolean(),
                name + ": the admin token Secret is not optional: pods would not start until someone creates it");
        for (JsonNode configMap : all(documents, "ConfigMap")) {
            configMap.path("data").fieldNames().forEachRemaining(key -> assertFalse(key.matches(".*(TOKEN|PASSWORD|SECRET).*"),
                    name + ": ConfigMap " + configMap.path("metadata").path("name").asText() + " holds " + key));
        }
    }

    /**
     * A restricted pod: non-root with a numeric user, seccomp RuntimeDefault, no token, a read-only root filesystem
     * with an emptyDir where it writes, no privilege escalation, every capability dropped, requests and limits set.
     */
    private static void checkPodSecurity(String where, JsonNode pod, JsonNode container, String writable) {
        JsonNode podSecurity = pod.path("spec").path("securityContext");
        JsonNode security = container.path("securityContext");
        assertTrue(podSecurity.path("runAsNonRoot").asBoolean(), where + "runAsNonRoot");
        assertTrue(podSecurity.path("runAsUser").isInt() && podSecurity.path("runAsUser").asInt() > 0, where + "numeric runAsUser");
        assertEquals("RuntimeDefault", podSecurity.path("seccompProfile").path("type").asText(), where + "seccomp");
        assertTrue(security.path("readOnlyRootFilesystem").asBoolean(), where + "readOnlyRootFilesystem");
        assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true), where + "allowPrivilegeEscalation");
        assertEquals("ALL", security.path("capabilities").path("drop").get(0).asText(), where + "capabilities");
        boolean isEmptyDir = false;
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals(writable)) {
                for (JsonNode volume : pod.path("spec").path("volumes")) {
                    isEmptyDir |= volume.path("name").asText().equals(mount.path("name").asText()) && volume.has("emptyDir");
                }
            }
        }
        assertTrue(isEmptyDir, where + writable + " is an emptyDir");
        assertFalse(pod.path("spec").path("automountServiceAccountToken").asBoolean(true), where + "no token mounted");
        for (String kind : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                assertNotNull(container.path("resources").path(kind).get(resource), where + kind + "." + resource);
            }
        }
    }

    /** Property names (a * for any map key) as patterns of their environment variables. */
    private static List<Pattern> asEnvironmentPatterns(Set<String> properties) {
        return properties.stream()
                .map(property -> Pattern.compile(Stream.of(property.split("\\*", -1))
                        .map(part -> Pattern.quote(part.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_")))
                        .reduce((a, b) -> a + "[A-Z0-9_]+" + b).orElseThrow()))
                .toList();
    }

    /**
     * The properties that the Quarkus extensions in the service declare: every extension lists its configuration
     * roots in META-INF/quarkus-config-roots.list, and those that are config mappings say their properties. A root
     * that cannot be read here is left out, which can only make this check stricter.
     */
    private static List<Pattern> extensionProperties;

    private static synchronized List<Pattern> extensionProperties() {
        if (extensionProperties != null) {
            return extensionProperties;
        }
        ClassLoader loader = K8sManifestsTest.class.getClassLoader();   // the application's, under @QuarkusTest
        Set<String> properties = new TreeSet<>();
        try {
            for (Enumeration<URL> lists = loader.getResources("META-INF/quarkus-config-roots.list"); lists.hasMoreElements(); ) {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(lists.nextElement().openStream(), StandardCharsets.UTF_8))) {
                    for (String root : in.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
                        try {
                            Class<?> type = Class.forName(root, false, loader);
                            ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
                            if (type.isInterface() && mapping != null) {
                                properties.addAll(ConfigMappings.getProperties(new ConfigMappings.ConfigClass(type, mapping.prefix())).keySet());
                            }
                        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                            // not loadable outside its extension's own set-up: declares nothing accepted here
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError("reading META-INF/quarkus-config-roots.list", e);
        }
        extensionProperties = asEnvironmentPatterns(properties);
        return extensionProperties;
    }

    /**
     * Whether an environment variable name is a configuration property of the service: a set one, one threadlab's
     * mapping declares (an unset optional one such as threadlab.admin.token is real too; pool names are free), or one
     * the service's Quarkus extensions declare (QUARKUS_REDIS_HOSTS is one only where the Redis client is built in).
     */
    private Predicate<String> isProperty() {
        Set<String> known = new HashSet<>();
        for (String property : config.getPropertyNames()) {
            known.add(property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
        }
        List<Pattern> declared = new ArrayList<>(asEnvironmentPatterns(
                ConfigMappings.getProperties(new ConfigMappings.ConfigClass(ThreadlabConfig.class, "threadlab")).keySet()));
        declared.addAll(extensionProperties());
        return key -> known.contains(key) || declared.stream().anyMatch(p -> p.matcher(key).matches());
    }

    private void check(String name, List<JsonNode> documents) {
        JsonNode deployment = threadlab(documents, "Deployment");
        JsonNode pod = deployment.path("spec").path("template");
        JsonNode podLabels = pod.path("metadata").path("labels");
        JsonNode container = pod.path("spec").path("containers").get(0);
        String where = name + ": ";

        // probes answer on the service
        Map<String, String> probes = Map.of("startupProbe", "/q/health/started", "livenessProbe", "/q/health/live",
                "readinessProbe", "/q/health/ready");
        probes.forEach((probe, path) -> {
            assertEquals(path, container.path(probe).path("httpGet").path("path").asText(), where + probe);
            given().get(path).then().statusCode(200);
        });

        // the container port is the configured HTTP port (of the packaged app; tests run on a random one)
        int port = Integer.parseInt(configuredProperty("quarkus.http.port"));
        assertEquals(port, container.path("ports").get(0).path("containerPort").asInt(), where + "container port");

        // selectors match the pod's labels
        assertTrue(labelsMatch(deployment.path("spec").path("selector").path("matchLabels"), podLabels), where + "deployment selector");
        assertTrue(labelsMatch(threadlab(documents, "Service").path("spec").path("selector"), podLabels), where + "service selector");
        assertTrue(labelsMatch(only(documents, "PodDisruptionBudget").path("spec").path("selector").path("matchLabels"), podLabels),
                where + "PDB selector");
        if (!name.startsWith("base")) {
            for (String label : List.of("app.kubernetes.io/name", "app.kubernetes.io/version", "app.kubernetes.io/component",
                    "app.kubernetes.io/part-of")) {
                assertFalse(podLabels.path(label).asText("").isEmpty(), where + "recommended label " + label);
            }
        }

        // security and resources
        checkPodSecurity(where, pod, container, "/tmp");
        assertFalse(only(documents, "ServiceAccount").path("automountServiceAccountToken").asBoolean(true), where + "SA token");

        // shutdown and rollouts fit the service's SIGTERM behaviour
        long grace = pod.path("spec").path("terminationGracePeriodSeconds").asLong();
        assertTrue(grace > shutdownDelay.plus(shutdownDrain).toSeconds(),
                where + "terminationGracePeriodSeconds " + grace + " <= delay + drain");
        assertEquals(0, deployment.path("spec").path("strategy").path("rollingUpdate").path("maxUnavailable").asInt(-1),
                where + "maxUnavailable");
        // no pinning: any pod answers for any job (a shared store where there are several; one pod otherwise)
        assertEquals("None", threadlab(documents, "Service").path("spec").path("sessionAffinity").asText("None"),
                where + "the Service pins each client to one pod: that skews the load and, with a shared store, buys nothing");

        // ConfigMap keys and env names are real configuration properties
        Predicate<String> isProperty = isProperty();
        for (JsonNode configMap : documents.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")
                && d.path("metadata").path("name").asText().equals("threadlab-config")).toList()) {
            configMap.path("data").fieldNames().forEachRemaining(key ->
                    assertTrue(isProperty.test(key), where + "ConfigMap key " + key + " is no configuration property"));
        }
        for (JsonNode env : container.path("env")) {
            assertTrue(isProperty.test(env.path("name").asText()), where + "env " + env.path("name").asText()
                    + " is no configuration property of the service (nor of its Quarkus extensions)");
        }
    }
}
