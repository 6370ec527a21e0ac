package dev.lathe.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.converter.ckpt.CheckpointFormatException;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.serde.OnnxFormatException;
import dev.lathe.pruning.Pruner;
import dev.lathe.pruning.importance.MagnitudeImportance;
import dev.lathe.pruning.plan.PlanOptions;
import dev.lathe.pruning.plan.PruningPlan;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.data.CorruptImageException;
import dev.lathe.runtime.data.ImageDecoder;
import dev.lathe.runtime.io.Npy;
import dev.lathe.runtime.io.NpyFormatException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reader, fed a fixed number of seeded mutations of valid files (bit flips, overwritten bytes, truncation,
 * inserted and zeroed runs, inflated length fields): each input either reads or fails with the format's own
 * exception and a one-line message. No other exception, no OutOfMemoryError, no hang (10 s per input). The count
 * is fixed, not a time budget, so what is covered does not depend on the machine.
 */
class ReaderFuzzTest {
    private static final int MUTATIONS = 250;
    private static final Path CKPT = Path.of("..", "converter", "src", "test", "resources", "ckpt");

    @TempDir
    Path tmp;

    /** Reads a file, throwing the reader's exception on bad input. */
    interface Reader {
        void read(Path file) throws Exception;
    }

    record Format(String name, String extension, List<byte[]> seeds, Reader reader,
            Set<Class<? extends Throwable>> clean) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> formats() throws Exception {
        return Stream.of(
                new Format("onnx", ".onnx", List.of(Onnx.toBytes(tiny())), Onnx::load,
                        Set.of(OnnxFormatException.class, IOException.class)),
                new Format("pth-zip", ".pth", List.of(ckpt("bare.pth"), ckpt("every_dtype_zip.pt")), Checkpoint::read,
                        Set.of(CheckpointFormatException.class)),
                new Format("pth-legacy", ".pth.tar", List.of(ckpt("wrap_net_legacy.pth.tar"),
                        ckpt("every_dtype_legacy.pt")), Checkpoint::read, Set.of(CheckpointFormatException.class)),
                new Format("safetensors", ".safetensors", List.of(ckpt("mixed.safetensors")), Checkpoint::read,
                        Set.of(CheckpointFormatException.class)),
                new Format("npy", ".npy", List.of(npy()), Npy::read, Set.of(NpyFormatException.class,
                        IOException.class)),
                new Format("plan-json", ".json", List.of(plan()), PruningPlan::load, Set.of(IOException.class)),
                new Format("png", ".png", List.of(image("png")), ImageDecoder::read,
                        Set.of(CorruptImageException.class)),
                new Format("jpeg", ".jpg", List.of(image("jpg")), ImageDecoder::read,
                        Set.of(CorruptImageException.class)))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void mutatedFilesReadOrFailCleanly(Format f) throws Exception {
        Random r = new Random(f.name().hashCode());
        List<String> failures = new ArrayList<>();
        int read = 0;
        for (byte[] seed : f.seeds()) {
            f.reader().read(write(seed, f.extension())); // the seed itself reads
            for (int i = 0; i < MUTATIONS; i++) {
                int index = i;
                byte[] m = mutate(seed, r);
                Path file = write(m, f.extension());
                Throwable t = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                    try {
                        f.reader().read(file);
                        return null;
                    } catch (Throwable e) {
                        return e;
                    }
                }, () -> f.name() + " mutation " + index + " hangs");
                if (t == null) {
                    read++;
                } else if (!isClean(t, f.clean())) {
                    failures.add("mutation " + index + ": " + describe(t)); // seeded: rerun reproduces it
                }
            }
        }
        System.out.printf("%s: %d mutations, %d read, %d clean errors, %d unclean%n", f.name(),
                MUTATIONS * f.seeds().size(), read, MUTATIONS * f.seeds().size() - read - failures.size(),
                failures.size());
        assertEquals(List.of(), failures.stream().limit(12).toList(), f.name() + ": " + failures.size()
                + " mutations failed with something other than a clean one-line error");
    }

    private static boolean isClean(Throwable t, Set<Class<? extends Throwable>> clean) {
        boolean expected = clean.stream().anyMatch(c -> c.isInstance(t));
        return expected && t.getMessage() != null && !t.getMessage().isBlank() && !t.getMessage().contains("\n");
    }

    private static String describe(Throwable t) {
        StackTraceElement at = t.getStackTrace().length > 0 ? t.getStackTrace()[0] : null;
        String msg = String.valueOf(t.getMessage());
        return t.getClass().getSimpleName() + ": " + (msg.length() > 160 ? msg.substring(0, 160) + "..." : msg)
                + (at == null ? "" : " at " + at);
    }

    private Path write(byte[] bytes, String extension) throws IOException {
        Path file = Files.createTempFile(tmp, "fuzz", extension);
        Files.write(file, bytes);
        return file;
    }

    /** One to three seeded edits of a copy. */
    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = new byte[] {0, -1, 0x7f, (byte) 0x80, '{', '"'}[r.nextInt(6)];
                case 2 -> b = java.util.Arrays.copyOf(b, at);
                case 3 -> {
                    int len = Math.min(1 + r.nextInt(64), b.length - at);
                    java.util.Arrays.fill(b, at, at + len, (byte) 0);
                }
                case 4 -> { // insert a copy of a random chunk
                    int from = r.nextInt(b.length);
                    int len = Math.min(1 + r.nextInt(32), b.length - from);
                    byte[] out = new byte[b.length + len];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, from, out, at, len);
                    System.arraycopy(b, at, out, at + len, b.length - at);
                    b = out;
                }
                default -> { // inflate a little-endian 32-bit field: the length fields of every format
                    if (at + 4 <= b.length) {
                        int v = (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | b[at + 3] << 24;
                        v = r.nextBoolean() ? Integer.MAX_VALUE : v + (1 << (8 + r.nextInt(20)));
                        for (int k = 0; k < 4; k++) {
                            b[at + k] = (byte) (v >>> (8 * k));
                        }
                    }
                }
            }
        }
        return b;
    }

    private static Model tiny() {
        GraphBuilder b = new GraphBuilder("tiny", 17);
        Nn nn = new Nn(b, 1);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 8, 8);
        x = b.ops().relu(nn.batchNorm2d("bn", nn.conv2d("conv", x, 4, ConvAttrs.same(3), false)));
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), 3, true), "logits");
        return b.build();
    }

    private static byte[] ckpt(String name) throws IOException {
        return Files.readAllBytes(CKPT.resolve(name));
    }

    private static byte[] npy() {
        float[] v = new float[24];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.5f - 3;
        }
        java.nio.ByteBuffer b = Npy.toBytes(HostTensor.ofFloats(new long[] {2, 3, 4}, v));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static byte[] plan() {
        Model m = tiny();
        return Pruner.prune(m, new MagnitudeImportance(1), PlanOptions.ratio(0.5), Set.of()).plan().toJson()
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] image(String format) throws IOException {
        BufferedImage img = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(3);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format.equals("jpg") ? "jpeg" : format, out);
        return out.toByteArray();
    }
}
