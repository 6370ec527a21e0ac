package dev.lathe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lookup by name and its one-line errors, on providers made here (the API module installs none). */
class RuntimesTest {
    private static final InferenceRuntime READY = new InferenceRuntime() {
        @Override
        public String name() {
            return "fake-cpu";
        }

        @Override
        public SessionConfig.Device defaultDevice() {
            return SessionConfig.Device.CPU;
        }

        @Override
        public Session open(ModelSource model, SessionConfig config) {
            throw new UnsupportedOperationException("lookup only");
        }
    };

    private static RuntimeProvider provider(String name, String whyNot) {
        return new RuntimeProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Optional<String> unavailableReason() {
                return Optional.ofNullable(whyNot);
            }

            @Override
            public InferenceRuntime create() {
                return READY;
            }
        };
    }

    private static final List<RuntimeProvider> INSTALLED = List.of(provider("fake-gpu", "no GPU driver (install one)"),
            provider("fake-cpu", null));

    @Test
    void findsARuntimeByName() {
        assertSame(READY, Runtimes.get("fake-cpu", INSTALLED));
    }

    @Test
    void anUnknownNameListsWhatIsInstalledInOneLine() {
        RuntimeUnavailableException e = assertThrows(RuntimeUnavailableException.class,
                () -> Runtimes.get("trt", INSTALLED));
        assertEquals("unknown runtime 'trt'; installed: fake-cpu, fake-gpu", e.getMessage());
    }

    @Test
    void anUnavailableRuntimeSaysWhyInOneLine() {
        RuntimeUnavailableException e = assertThrows(RuntimeUnavailableException.class,
                () -> Runtimes.get("fake-gpu", INSTALLED));
        assertEquals("runtime 'fake-gpu' cannot run here: no GPU driver (install one)", e.getMessage());
    }

    @Test
    void withNothingInstalledTheMessageSaysWhatToAdd() {
        assertEquals(List.of(), Runtimes.names());
        RuntimeUnavailableException e = assertThrows(RuntimeUnavailableException.class, () -> Runtimes.get("ort-cpu"));
        assertEquals("unknown runtime 'ort-cpu'; installed: none (add a runtime module such as lathe-runtime-ort to"
                + " the class path)", e.getMessage());
    }

    @Test
    void twoProvidersWithOneNameAreRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Runtimes.get("x", List.of(provider("x", null), provider("x", null))));
        assertEquals(true, e.getMessage().startsWith("two runtimes are called 'x'"), e.getMessage());
    }
}
