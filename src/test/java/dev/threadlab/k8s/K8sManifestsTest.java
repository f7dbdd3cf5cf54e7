package dev.threadlab.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.quarkus.test.junit.QuarkusTest;
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
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes manifests fit the service they deploy. Checks every overlay rendered by {@code .ci/run} into
 * target/k8s (with kubectl kustomize) when present, and always the raw base.
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
        if (Files.isDirectory(rendered)) {
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

    @Test
    void everyManifestSetFitsTheService() throws IOException {
        Map<String, List<JsonNode>> sets = manifestSets();
        for (Map.Entry<String, List<JsonNode>> set : sets.entrySet()) {
            check(set.getKey(), set.getValue());
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

        // ConfigMap keys and env names are real configuration properties
        Set<String> known = new HashSet<>();
        for (String property : config.getPropertyNames()) {
            known.add(property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
        }
        for (JsonNode configMap : documents.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")
                && d.path("metadata").path("name").asText().equals("threadlab-config")).toList()) {
            configMap.path("data").fieldNames().forEachRemaining(key ->
                    assertTrue(known.contains(key), where + "ConfigMap key " + key + " is no configuration property"));
        }
        for (JsonNode env : container.path("env")) {
            assertTrue(known.contains(env.path("name").asText()), where + "env " + env.path("name").asText());
        }
    }
}
