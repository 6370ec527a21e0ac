package dev.lathe.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./mvnw} on a machine without Maven: it downloads the pinned distribution from Maven Central, checks its
 * SHA-512, and runs it; a download whose checksum differs installs nothing. The Central test skips, saying why, when
 * Central cannot be reached (offline builds).
 */
class MavenWrapperTest {
    private static final String CENTRAL = "https://repo.maven.apache.org/maven2";

    @TempDir
    Path tmp;

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        assertTrue(p != null, "mvnw not found above " + Path.of("").toAbsolutePath());
        return p;
    }

    /** A PATH folder with every command of this machine except Maven. */
    private Path pathWithoutMaven() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String dir : List.of("/usr/local/bin", "/usr/bin", "/bin")) {
            if (!Files.isDirectory(Path.of(dir))) {
                continue;
            }
            try (Stream<Path> tools = Files.list(Path.of(dir))) {
                for (Path t : tools.toList()) {
                    String name = t.getFileName().toString();
                    if (!name.startsWith("mvn") && !Files.exists(bin.resolve(name))) {
                        Files.createSymbolicLink(bin.resolve(name), t);
                    }
                }
            }
        }
        return bin;
    }

    private record Result(int code, String output) {}

    private Result mvnw(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(repoRoot().resolve("mvnw").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "mvnw did not finish");
        return new Result(p.exitValue(), out);
    }

    private static boolean centralReachable() {
        try {
            HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<Void> r = c.send(HttpRequest.newBuilder(URI.create(CENTRAL
                    + "/org/apache/maven/apache-maven/maven-metadata.xml")).method("HEAD",
                    HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return false;
        }
    }

    @Test
    void withoutMavenOnThePathItDownloadsVerifiesAndRunsThePinnedMaven() throws Exception {
        boolean online = centralReachable();
        if (!online) {
            System.out.println("MavenWrapperTest: skipped, Maven Central is not reachable from here");
        }
        assumeTrue(online, "Maven Central is not reachable (offline build)");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Map<String, String> env = Map.of("PATH", pathWithoutMaven().toString(), "HOME", home.toString());
        Result first = mvnw(env, "-B", "--version");
        assertEquals(0, first.code(), first.output());
        assertTrue(first.output().contains("downloading Apache Maven"), first.output());
        assertTrue(first.output().contains("Apache Maven 3.9."), first.output());
        Path dists = home.resolve(".m2/wrapper/dists");
        try (Stream<Path> d = Files.list(dists)) {
            assertEquals(List.of("apache-maven-3.9.16"), d.map(p -> p.getFileName().toString()).toList(),
                    "one unpacked distribution, no download leftovers");
        }
        Result second = mvnw(env, "-B", "--version");
        assertEquals(0, second.code(), second.output());
        assertFalse(second.output().contains("downloading"), "the second run uses the unpacked copy");
    }

    @Test
    void aDownloadWithTheWrongChecksumInstallsNothing() throws Exception {
        Path repo = tmp.resolve("repo");
        Path dist = Files.createDirectories(repo.resolve("org/apache/maven/apache-maven/3.9.16"));
        Files.writeString(dist.resolve("apache-maven-3.9.16-bin.tar.gz"), "not maven");
        Path userHome = tmp.resolve("m2");
        Result r = mvnw(Map.of("PATH", pathWithoutMaven().toString(), "HOME", tmp.toString(),
                "MAVEN_USER_HOME", userHome.toString(), "MVNW_REPOURL", repo.toUri().toString().replaceAll("/$", "")),
                "--version");
        assertNotEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("SHA-512 mismatch") && r.output().contains("nothing was installed"), r.output());
        try (Stream<Path> d = Files.list(userHome.resolve("wrapper/dists"))) {
            assertEquals(List.of(), d.toList(), "neither a distribution nor a partial download is left");
        }
    }
}
