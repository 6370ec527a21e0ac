package dev.lathe.converter.ckpt;

import dev.lathe.graph.ir.DataType;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the two layouts {@code torch.save} writes: the zip archive ({@code <root>/data.pkl} plus one raw storage per
 * {@code <root>/data/<key>}) and the legacy stream (magic number, protocol 1001, sys_info, the object, the storage
 * key list, then each storage as an 8-byte element count followed by its elements).
 */
final class TorchFileReader {
    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final int LEGACY_PROTOCOL = 1001;

    private static final Map<String, DataType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", DataType.FLOAT), Map.entry("HalfStorage", DataType.FLOAT16),
            Map.entry("BFloat16Storage", DataType.BFLOAT16), Map.entry("DoubleStorage", DataType.DOUBLE),
            Map.entry("LongStorage", DataType.INT64), Map.entry("IntStorage", DataType.INT32),
            Map.entry("ShortStorage", DataType.INT16), Map.entry("CharStorage", DataType.INT8),
            Map.entry("ByteStorage", DataType.UINT8), Map.entry("BoolStorage", DataType.BOOL));

    private TorchFileReader() {}

    /** The dtype a storage class stands for; {@code torch.cuda.FloatStorage} reads like {@code torch.FloatStorage}. */
    static DataType storageDtype(Object type, String where) throws CheckpointFormatException {
        if (type instanceof GlobalRef) {
            GlobalRef g = (GlobalRef) type;
            DataType t = STORAGE_TYPES.get(g.name());
            if (t != null && (g.module().equals("torch") || g.module().equals("torch.cuda"))) {
                return t;
            }
        }
        throw new CheckpointFormatException(where + ": unsupported storage type " + type
                + " (readable: " + String.join(", ", STORAGE_TYPES.keySet()) + ")");
    }

    static long pidInteger(Object o, String what, String where) throws CheckpointFormatException {
        if (o instanceof Integer || o instanceof Long) {
            long v = ((Number) o).longValue();
            if (v >= 0) {
                return v;
            }
        }
        throw new CheckpointFormatException(where + ": storage " + what + " is " + o + ", expected a count");
    }

    static Checkpoint readZip(String file, FileChannel channel, boolean refuseUnknownGlobals) throws IOException {
        ZipArchive zip = new ZipArchive(file, channel);
        String root = null;
        for (String name : zip.entries().keySet()) {
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash).equals("/data.pkl")) {
                if (root != null) {
                    throw new CheckpointFormatException(file + ": two data.pkl entries (" + root + "/ and "
                            + name.substring(0, slash) + "/); not a torch.save archive");
                }
                root = name.substring(0, slash);
            }
        }
        if (root == null) {
            boolean torchScript = zip.entries().keySet().stream()
                    .anyMatch(n -> n.endsWith("/constants.pkl") || n.contains("/code/"));
            throw new CheckpointFormatException(file + (torchScript
                    ? ": a TorchScript archive (torch.jit.save); save the model's state_dict() with torch.save instead"
                    : ": zip archive without <root>/data.pkl; not a torch.save checkpoint"));
        }
        String prefix = root + "/";
        ZipArchive.Entry order = zip.entries().get(prefix + "byteorder");
        if (order != null) {
            ByteBuffer b = zip.read(order);
            byte[] text = new byte[Math.min(b.remaining(), 16)];
            b.get(text);
            if (!new String(text, StandardCharsets.US_ASCII).trim().equals("little")) {
                throw new CheckpointFormatException(file + ": storages are big-endian; only little-endian files "
                        + "are read");
            }
        }
        String pklWhere = file + " (" + prefix + "data.pkl)";
        Map<String, Storage> storages = new HashMap<>();
        TorchUnpickler.StorageResolver resolver = pid -> {
            if (pid.length < 5 || !"storage".equals(pid[0]) || !(pid[2] instanceof String)) {
                throw new CheckpointFormatException(pklWhere + ": persistent id is not ('storage', type, key, "
                        + "location, numel)");
            }
            String key = (String) pid[2];
            DataType dtype = storageDtype(pid[1], pklWhere);
            long numel = pidInteger(pid[4], "numel", pklWhere);
            Storage s = storages.get(key);
            if (s == null) {
                ZipArchive.Entry entry = zip.entries().get(prefix + "data/" + key);
                if (entry == null) {
                    throw new CheckpointFormatException(pklWhere + ": storage " + key + " has no entry " + prefix
                            + "data/" + key + " in the archive");
                }
                s = new Storage(key, dtype, numel);
                s.attach(zip.read(entry), file + " (" + entry.name() + ")");
                storages.put(key, s);
            } else if (s.dtype() != dtype) {
                throw new CheckpointFormatException(pklWhere + ": storage " + key + " is read as both " + s.dtype()
                        + " and " + dtype);
            }
            return s;
        };
        ZipArchive.Entry pkl = zip.entries().get(prefix + "data.pkl");
        Object root0 = new TorchUnpickler(pklWhere, zip.read(pkl), resolver, refuseUnknownGlobals).readOne();
        return new Checkpoint(file, Checkpoint.Format.PYTORCH_ZIP, root0, Map.of());
    }

    static Checkpoint readLegacy(String file, FileChannel channel, boolean refuseUnknownGlobals) throws IOException {
        long size = channel.size();
        if (size > Integer.MAX_VALUE) {
            throw new CheckpointFormatException(file + ": legacy (non-zip) checkpoints over 2 GiB are not read; "
                    + "re-save it with a current torch.save");
        }
        ByteBuffer all = channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
        TorchUnpickler.StorageResolver none = pid -> {
            throw new CheckpointFormatException(file + ": storage reference outside the object pickle");
        };
        Object magic = new TorchUnpickler(file + " (magic number)", all, none, true).readOne();
        if (!(magic instanceof Number) || !new BigInteger(magic.toString()).equals(LEGACY_MAGIC)) {
            throw new CheckpointFormatException(file + ": a pickle, but not a torch.save file (magic number "
                    + magic + ")");
        }
        Object protocol = new TorchUnpickler(file + " (protocol)", all, none, true).readOne();
        if (!(protocol instanceof Integer) || (Integer) protocol != LEGACY_PROTOCOL) {
            throw new CheckpointFormatException(file + ": legacy protocol " + protocol + ", expected "
                    + LEGACY_PROTOCOL);
        }
        Object sysInfo = new TorchUnpickler(file + " (sys_info)", all, none, true).readOne();
        if (sysInfo instanceof Map && Boolean.FALSE.equals(((Map<?, ?>) sysInfo).get("little_endian"))) {
            throw new CheckpointFormatException(file + ": written on a big-endian machine; only little-endian "
                    + "files are read");
        }
        String objWhere = file + " (object pickle)";
        Map<String, Storage> roots = new LinkedHashMap<>();
        Map<String, Storage> views = new HashMap<>();
        TorchUnpickler.StorageResolver resolver = pid -> {
            if (pid.length < 5 || !"storage".equals(pid[0]) || !(pid[2] instanceof String)) {
                throw new CheckpointFormatException(objWhere + ": persistent id is not ('storage', type, key, "
                        + "location, numel, view)");
            }
            String key = (String) pid[2];
            DataType dtype = storageDtype(pid[1], objWhere);
            long numel = pidInteger(pid[4], "numel", objWhere);
            Storage root = roots.get(key);
            if (root == null) {
                root = new Storage(key, dtype, numel);
                roots.put(key, root);
            } else if (root.dtype() != dtype) {
                throw new CheckpointFormatException(objWhere + ": storage " + key + " is read as both "
                        + root.dtype() + " and " + dtype);
            }
            Object view = pid.length > 5 ? pid[5] : null;
            if (view == null) {
                return root;
            }
            // Pre-1.0 files: (view_key, offset, size) names a slice of the root storage.
            if (!(view instanceof Object[]) || ((Object[]) view).length != 3 || !(((Object[]) view)[0] instanceof String)) {
                throw new CheckpointFormatException(objWhere + ": storage view metadata of " + key + " is malformed");
            }
            Object[] v = (Object[]) view;
            long offset = pidInteger(v[1], "view offset", objWhere);
            long viewSize = pidInteger(v[2], "view size", objWhere);
            String viewKey = (String) v[0];
            Storage s = views.get(viewKey);
            if (s == null) {
                s = new LegacyView(viewKey, root, offset, viewSize);
                views.put(viewKey, s);
            }
            return s;
        };
        Object object = new TorchUnpickler(objWhere, all, resolver, refuseUnknownGlobals).readOne();
        Object keys = new TorchUnpickler(file + " (storage keys)", all, none, true).readOne();
        if (!(keys instanceof List)) {
            throw new CheckpointFormatException(file + ": storage key list missing after the object pickle");
        }
        int pos = all.position();
        for (Object k : (List<?>) keys) {
            Storage s = roots.get(String.valueOf(k));
            if (s == null) {
                throw new CheckpointFormatException(file + ": storage key " + k + " is listed but no tensor uses it, "
                        + "so its element size is unknown");
            }
            if (pos + 8L > size) {
                throw new CheckpointFormatException(file + ": file ends before storage " + k + " (truncated?)");
            }
            long count = all.getLong(pos);
            long bytes = count < 0 || count > size ? -1 : s.dtype().byteSize(count);
            if (bytes < 0 || pos + 8L + bytes > size) {
                throw new CheckpointFormatException(file + ": storage " + k + " at byte " + pos + " declares "
                        + count + " elements, more than the file holds (truncated?)");
            }
            if (count != s.numel()) {
                throw new CheckpointFormatException(file + ": storage " + k + " holds " + count
                        + " elements but the object pickle says " + s.numel());
            }
            s.attach(all.duplicate().position(pos + 8).limit((int) (pos + 8 + bytes)), file);
            pos += 8 + (int) bytes;
        }
        for (Storage s : roots.values()) {
            if (!s.attached()) {
                throw new CheckpointFormatException(file + ": storage " + s.key() + " is used but not in the key "
                        + "list");
            }
        }
        for (Storage v : views.values()) {
            ((LegacyView) v).attachFromRoot(file);
        }
        return new Checkpoint(file, Checkpoint.Format.PYTORCH_LEGACY, object, Map.of());
    }

    /** A storage view of the pre-1.0 legacy format: a slice of a root storage. */
    private static final class LegacyView extends Storage {
        private final Storage root;
        private final long offset;

        LegacyView(String key, Storage root, long offset, long numel) {
            super(key, root.dtype(), numel);
            this.root = root;
            this.offset = offset;
        }

        void attachFromRoot(String file) throws CheckpointFormatException {
            if (offset + numel() > root.numel()) {
                throw new CheckpointFormatException(file + ": storage view " + key() + " reaches past storage "
                        + root.key());
            }
            int esize = (int) dtype().byteSize(1);
            ByteBuffer b = root.bytes();
            attach(b.position((int) (offset * esize)).limit((int) ((offset + numel()) * esize)), file);
        }
    }
}
