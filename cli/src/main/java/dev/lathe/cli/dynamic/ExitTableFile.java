package dev.lathe.cli.dynamic;

import dev.lathe.cli.UserError;
import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.converter.ckpt.StoredTensor;
import dev.lathe.converter.ckpt.TorchSave;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.dynamic.ExitTable;
import dev.lathe.runtime.io.Npy;
import dev.lathe.runtime.io.NpyFormatException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * AnchorNet's table file, as {@code make_table.py} saves it and {@code dynamic_inference.py} loads it: a dict with
 * {@code setup} (a string naming the run), {@code thresholds} float32 [N, K+1] (max softmax of the cumulative logits
 * after each stage) and {@code predictions} bool [N, K+1] (whether that stage's arg-max is the label). Read and written
 * as a {@code torch.save} file ({@code .pth}, what the authors release) or as a NumPy {@code .npz} of the same keys.
 * Lathe adds an optional {@code stage_gmacs} (GMACs an image has spent when it exits at each stage, counted on the
 * graphs that made the table); the authors' loader ignores keys it does not ask for, so both kinds of file are read
 * by both sides.
 */
public record ExitTableFile(ExitTable table, String setup, double[] stageGmacs) {

    public static ExitTableFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UserError("table file not found: " + file);
        }
        return file.getFileName().toString().endsWith(".npz") ? readNpz(file) : readPth(file);
    }

    private static ExitTableFile readPth(Path file) throws IOException {
        Object root = Checkpoint.read(file, true).root();
        if (!(root instanceof Map<?, ?> dict)) {
            throw new UserError(file + ": holds a " + (root == null ? "None" : root.getClass().getSimpleName())
                    + ", not the dict of an AnchorNet table (keys setup, thresholds, predictions)");
        }
        Tensor conf = tensor(file, dict, "thresholds");
        Tensor right = tensor(file, dict, "predictions");
        Object setup = dict.get("setup");
        double[] gmacs = null;
        if (dict.get("stage_gmacs") instanceof List<?> list) {
            gmacs = new double[list.size()];
            for (int j = 0; j < gmacs.length; j++) {
                if (!(list.get(j) instanceof Number n)) {
                    throw new UserError(file + ": key 'stage_gmacs' holds a non-number at " + j);
                }
                gmacs[j] = n.doubleValue();
            }
        }
        return build(file, conf.dtype(), conf.dims(), conf.toFloats(), right.dtype(), right.dims(), right.toLongs(),
                setup instanceof String s ? s : "", gmacs);
    }

    private static Tensor tensor(Path file, Map<?, ?> dict, String key) {
        Object v = dict.get(key);
        if (!(v instanceof StoredTensor t)) {
            throw new UserError(file + ": " + (v == null ? "no key '" + key + "'" : "key '" + key + "' is not a tensor")
                    + " (an AnchorNet table has keys setup, thresholds, predictions; this file has " + dict.keySet()
                    + ")");
        }
        return t.toTensor();
    }

    private static ExitTableFile readNpz(Path file) throws IOException {
        Map<String, ByteBuffer> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (var e : java.util.Collections.list(zip.entries())) {
                try (var in = zip.getInputStream(e)) {
                    entries.put(e.getName(), ByteBuffer.wrap(in.readAllBytes()));
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new UserError(file + ": not an .npz (zip) file: " + e.getMessage());
        }
        HostTensor conf = npy(file, entries, "thresholds");
        HostTensor right = npy(file, entries, "predictions");
        String setup = entries.containsKey("setup.npy") ? unicodeScalar(file, entries.get("setup.npy")) : "";
        double[] gmacs = null;
        if (entries.containsKey("stage_gmacs.npy")) {
            HostTensor g = npy(file, entries, "stage_gmacs");
            float[] f = g.dtype() == DataType.DOUBLE ? null : g.toFloats();
            gmacs = new double[(int) g.numel()];
            for (int j = 0; j < gmacs.length; j++) {
                gmacs[j] = f == null ? g.data().getDouble(8 * j) : f[j];
            }
        }
        return build(file, conf.dtype(), conf.shape(), conf.toFloats(), right.dtype(), right.shape(),
                right.toLongs(), setup, gmacs);
    }

    private static HostTensor npy(Path file, Map<String, ByteBuffer> entries, String key) {
        ByteBuffer b = entries.get(key + ".npy");
        if (b == null) {
            throw new UserError(file + ": no array '" + key + "' (an AnchorNet table has setup, thresholds,"
                    + " predictions; this file has " + entries.keySet() + ")");
        }
        try {
            return Npy.parse(b, file + ":" + key);
        } catch (NpyFormatException e) {
            throw new UserError(e.getMessage());
        }
    }

    private static ExitTableFile build(Path file, DataType confType, long[] confDims, float[] conf,
            DataType rightType, long[] rightDims, long[] right, String setup, double[] gmacs) {
        if (confType != DataType.FLOAT) {
            throw new UserError(file + ": 'thresholds' is " + confType + ", expected float32 [N, stages]");
        }
        if (confDims.length != 2 || confDims[0] < 1 || confDims[1] < 1) {
            throw new UserError(file + ": 'thresholds' has shape " + java.util.Arrays.toString(confDims)
                    + ", expected [N, stages]");
        }
        if (!java.util.Arrays.equals(confDims, rightDims)) {
            throw new UserError(file + ": 'predictions' has shape " + java.util.Arrays.toString(rightDims)
                    + " but 'thresholds' has " + java.util.Arrays.toString(confDims));
        }
        if (rightType != DataType.BOOL && rightType != DataType.UINT8 && rightType != DataType.INT64) {
            throw new UserError(file + ": 'predictions' is " + rightType + ", expected bool");
        }
        boolean[] ok = new boolean[right.length];
        for (int i = 0; i < ok.length; i++) {
            ok[i] = right[i] != 0;
        }
        if (gmacs != null && gmacs.length != confDims[1]) {
            throw new UserError(file + ": 'stage_gmacs' has " + gmacs.length + " entries for " + confDims[1]
                    + " stages");
        }
        return new ExitTableFile(new ExitTable((int) confDims[0], (int) confDims[1], conf, ok), setup, gmacs);
    }

    /** Writes the table as {@code .npz} when the name ends so, else as a torch.save {@code .pth}. */
    public void write(Path file) throws IOException {
        int n = table.images();
        int s = table.stages();
        float[] conf = new float[n * s];
        byte[] right = new byte[n * s];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < s; j++) {
                conf[i * s + j] = table.confidence(i, j);
                right[i * s + j] = (byte) (table.correct(i, j) ? 1 : 0);
            }
        }
        long[] dims = {n, s};
        if (file.getFileName().toString().endsWith(".npz")) {
            Map<String, ByteBuffer> arrays = new LinkedHashMap<>();
            arrays.put("setup", unicodeNpy(setup));
            arrays.put("thresholds", Npy.toBytes(HostTensor.ofFloats(dims, conf)));
            arrays.put("predictions", Npy.toBytes(HostTensor.ofBytes(DataType.BOOL, dims, right)));
            if (stageGmacs != null) {
                arrays.put("stage_gmacs", Npy.toBytes(HostTensor.ofDoubles(new long[] {s}, stageGmacs)));
            }
            AtomicFiles.write(file, tmp -> {
                try (OutputStream out = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(out)) {
                    for (Map.Entry<String, ByteBuffer> e : arrays.entrySet()) {
                        ZipEntry z = new ZipEntry(e.getKey() + ".npy");
                        z.setTimeLocal(java.time.LocalDateTime.of(2000, 1, 1, 0, 0));
                        zip.putNextEntry(z);
                        ByteBuffer b = e.getValue();
                        zip.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
                        zip.closeEntry();
                    }
                }
            });
            return;
        }
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("setup", setup);
        ByteBuffer c = ByteBuffer.allocate(4 * conf.length).order(ByteOrder.LITTLE_ENDIAN);
        c.asFloatBuffer().put(conf);
        dict.put("thresholds", Tensor.of(DataType.FLOAT, dims, c));
        dict.put("predictions", Tensor.of(DataType.BOOL, dims, ByteBuffer.wrap(right)));
        if (stageGmacs != null) {
            List<Double> g = new ArrayList<>();
            for (double d : stageGmacs) {
                g.add(d);
            }
            dict.put("stage_gmacs", g);
        }
        TorchSave.write(file, dict);
    }

    /** A 0-d NumPy unicode array ({@code <U n}, UTF-32LE), as {@code np.savez(setup='...')} stores a string. */
    static ByteBuffer unicodeNpy(String s) {
        int[] cps = s.codePoints().toArray();
        String header = "{'descr': '<U" + Math.max(1, cps.length) + "', 'fortran_order': False, 'shape': (), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * Math.max(1, cps.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (int cp : cps) {
            b.putInt(cp);
        }
        return b.flip();
    }

    private static String unicodeScalar(Path file, ByteBuffer npy) {
        ByteBuffer b = npy.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 10 || b.get(0) != (byte) 0x93 || b.get(6) != 1) {
            throw new UserError(file + ": 'setup' is not a version-1 .npy array");
        }
        int len = b.getShort(8) & 0xffff;
        String header = StandardCharsets.ISO_8859_1.decode(b.slice(10, len)).toString();
        if (!header.contains("'<U")) {
            throw new UserError(file + ": 'setup' is not a unicode string array (header " + header.trim() + ")");
        }
        StringBuilder sb = new StringBuilder();
        for (int at = 10 + len; at + 4 <= b.limit(); at += 4) {
            int cp = b.getInt(at);
            if (cp == 0) {
                break;
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }
}
