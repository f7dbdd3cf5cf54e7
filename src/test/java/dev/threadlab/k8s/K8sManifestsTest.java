package dev.threadlab.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.threadlab.config.ThreadlabConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.SmallRyeConfig;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes manifests fit the service they deploy. Checks every overlay rendered into target/k8s by
 * {@code deploy/k8s/check.sh} (run by {@code .ci/run} before the tests; it also validates them against the
 * Kubernetes and Prometheus Operator schemas), and always the raw base. Under CI, or once target/k8s exists, every
 * overlay must have been rendered.
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
        for (Map.Entry<String, List<JsonNode>> set : sets.entrySet()) {
            check(set.getKey(), set.getValue());
            checkAutoscaling(set.getKey(), set.getValue());
            checkReadiness(set.getKey(), set.getValue());
            checkScraping(set.getKey(), set.getValue());
            checkAdminToken(set.getKey(), set.getValue());
        }
    }

    /** An HPA owns its Deployment's replica count: the Deployment carries none, or every apply resets it. */
    private void checkAutoscaling(String name, List<JsonNode> documents) {
        for (JsonNode hpa : all(documents, "HorizontalPodAutoscaler")) {
            JsonNode target = hpa.path("spec").path("scaleTargetRef");
            String where = name + ": HorizontalPodAutoscaler " + hpa.path("metadata").path("name").asText() + ": ";
            assertEquals("apps/v1", target.path("apiVersion").asText(), where + "scaleTargetRef.apiVersion");
            assertEquals("Deployment", target.path("kind").asText(), where + "scaleTargetRef.kind");
            List<JsonNode> deployments = all(documents, "Deployment").stream()
                    .filter(d -> d.path("metadata").path("name").asText().equals(target.path("name").asText())).toList();
            assertEquals(1, deployments.size(), where + "scales Deployment " + target.path("name").asText() + ", not in this set");
            assertFalse(deployments.get(0).path("spec").has("replicas"),
                    where + "its Deployment sets spec.replicas, which fights the autoscaler on every apply");
            int min = hpa.path("spec").path("minReplicas").asInt(1);
            assertTrue(min >= 2, where + "minReplicas " + min + " < 2: one pod means an outage at every disruption");
            assertTrue(hpa.path("spec").path("maxReplicas").asInt() >= min, where + "maxReplicas < minReplicas");
        }
    }

    /**
     * Readiness tolerates one missed probe, and still takes the pod out of its Service within the shutdown delay
     * (readiness is DOWN from SIGTERM on, while the service keeps serving for that delay).
     */
    private void checkReadiness(String name, List<JsonNode> documents) {
        JsonNode probe = only(documents, "Deployment").path("spec").path("template").path("spec").path("containers").get(0)
                .path("readinessProbe");
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
        JsonNode service = only(documents, "Service");
        JsonNode pod = only(documents, "Deployment").path("spec").path("template");
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
        JsonNode container = only(documents, "Deployment").path("spec").path("template").path("spec").path("containers").get(0);
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

    private void check(String name, List<JsonNode> documents) {
        JsonNode deployment = only(documents, "Deployment");
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
        assertTrue(labelsMatch(only(documents, "Service").path("spec").path("selector"), podLabels), where + "service selector");
        assertTrue(labelsMatch(only(documents, "PodDisruptionBudget").path("spec").path("selector").path("matchLabels"), podLabels),
                where + "PDB selector");
        if (!name.startsWith("base")) {
            for (String label : List.of("app.kubernetes.io/name", "app.kubernetes.io/version", "app.kubernetes.io/component",
                    "app.kubernetes.io/part-of")) {
                assertFalse(podLabels.path(label).asText("").isEmpty(), where + "recommended label " + label);
            }
        }

        // security
        JsonNode podSecurity = pod.path("spec").path("securityContext");
        JsonNode security = container.path("securityContext");
        assertTrue(podSecurity.path("runAsNonRoot").asBoolean(), where + "runAsNonRoot");
        assertTrue(podSecurity.path("runAsUser").isInt() && podSecurity.path("runAsUser").asInt() > 0, where + "numeric runAsUser");
        assertEquals("RuntimeDefault", podSecurity.path("seccompProfile").path("type").asText(), where + "seccomp");
        assertTrue(security.path("readOnlyRootFilesystem").asBoolean(), where + "readOnlyRootFilesystem");
        assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true), where + "allowPrivilegeEscalation");
        assertEquals("ALL", security.path("capabilities").path("drop").get(0).asText(), where + "capabilities");
        boolean tmpIsEmptyDir = false;
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals("/tmp")) {
                for (JsonNode volume : pod.path("spec").path("volumes")) {
                    tmpIsEmptyDir |= volume.path("name").asText().equals(mount.path("name").asText()) && volume.has("emptyDir");
                }
            }
        }
        assertTrue(tmpIsEmptyDir, where + "/tmp is an emptyDir");
        assertFalse(pod.path("spec").path("automountServiceAccountToken").asBoolean(true), where + "no token mounted");
        assertFalse(only(documents, "ServiceAccount").path("automountServiceAccountToken").asBoolean(true), where + "SA token");

        // resources
        for (String kind : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                assertNotNull(container.path("resources").path(kind).get(resource), where + kind + "." + resource);
            }
        }

        // shutdown and rollouts fit the service's SIGTERM behaviour
        long grace = pod.path("spec").path("terminationGracePeriodSeconds").asLong();
        assertTrue(grace > shutdownDelay.plus(shutdownDrain).toSeconds(),
                where + "terminationGracePeriodSeconds " + grace + " <= delay + drain");
        assertEquals(0, deployment.path("spec").path("strategy").path("rollingUpdate").path("maxUnavailable").asInt(-1),
                where + "maxUnavailable");
        assertEquals("ClientIP", only(documents, "Service").path("spec").path("sessionAffinity").asText(), where + "affinity");

        // ConfigMap keys and env names are real configuration properties: set ones, and those threadlab's mapping
        // declares (an unset optional one such as threadlab.admin.token is real too; pool names are free)
        Set<String> known = new HashSet<>();
        for (String property : config.getPropertyNames()) {
            known.add(property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
        }
        List<Pattern> declared = ConfigMappings.getProperties(new ConfigMappings.ConfigClass(ThreadlabConfig.class, "threadlab"))
                .keySet().stream()
                .map(property -> Pattern.compile(Stream.of(property.split("\\*", -1))
                        .map(part -> Pattern.quote(part.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_")))
                        .reduce((a, b) -> a + "[A-Z0-9_]+" + b).orElseThrow()))
                .toList();
        Predicate<String> isProperty = key -> known.contains(key)
                || declared.stream().anyMatch(p -> p.matcher(key).matches());
        for (JsonNode configMap : documents.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")
                && d.path("metadata").path("name").asText().equals("threadlab-config")).toList()) {
            configMap.path("data").fieldNames().forEachRemaining(key ->
                    assertTrue(isProperty.test(key), where + "ConfigMap key " + key + " is no configuration property"));
        }
        for (JsonNode env : container.path("env")) {
            assertTrue(isProperty.test(env.path("name").asText()), where + "env " + env.path("name").asText());
        }
    }
}
