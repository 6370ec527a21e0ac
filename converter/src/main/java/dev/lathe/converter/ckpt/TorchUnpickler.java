package dev.lathe.converter.ckpt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * A restricted unpickler on top of razorvine's opcode machine. Every opcode that could reach a class, a function or
 * reflection (GLOBAL, STACK_GLOBAL, INST, OBJ, REDUCE, NEWOBJ, NEWOBJ_EX, BUILD) is handled here, so razorvine's
 * static constructor registry, its ClassDict fallback and its reflective {@code __setstate__} are never consulted.
 * Globals become {@link GlobalRef} names; calling one constructs a plain Java value only for the allowlist below,
 * any other call yields an inert {@link PyObject} (or is refused). Dicts keep insertion order, and every
 * length-prefixed opcode is checked against the bytes left before anything is allocated.
 */
final class TorchUnpickler extends Unpickler {
    /** Supplies the storage named by a persistent id tuple. */
    interface StorageResolver {
        Storage resolve(Object[] pid) throws IOException;
    }

    private final String where;
    private final ByteBuffer buffer;
    private final StorageResolver storages;
    private final boolean refuseUnknownGlobals;

    /**
     * @param where names the file and entry in error messages
     * @param buffer the pickle bytes, read from its position; left positioned after the STOP opcode
     */
    TorchUnpickler(String where, ByteBuffer buffer, StorageResolver storages, boolean refuseUnknownGlobals) {
        this.where = where;
        this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
        this.storages = storages;
        this.refuseUnknownGlobals = refuseUnknownGlobals;
    }

    /** Reads one pickle (up to its STOP opcode) and returns the object it builds. */
    Object readOne() throws CheckpointFormatException {
        int start = buffer.position();
        try {
            return load(new BufferStream(buffer));
        } catch (CheckpointFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CheckpointFormatException(where + ": malformed pickle at byte " + buffer.position()
                    + " (pickle starts at " + start + "): " + describe(e), e);
        } catch (StackOverflowError e) {
            throw new CheckpointFormatException(where + ": pickle nests too deeply to read (at byte "
                    + buffer.position() + ")");
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL: {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(new GlobalRef(module, name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.STACK_GLOBAL: {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(name instanceof String) || !(module instanceof String)) {
                    throw refused("STACK_GLOBAL needs two strings");
                }
                stack.add(new GlobalRef((String) module, (String) name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.INST: {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                List<Object> args = stack.pop_all_since_marker();
                stack.add(call(new GlobalRef(module, name), args.toArray(), null));
                return NO_RETURN_VALUE;
            }
            case Opcodes.OBJ: {
                List<Object> args = stack.pop_all_since_marker();
                if (args.isEmpty()) {
                    throw refused("OBJ without a class");
                }
                stack.add(call(args.get(0), args.subList(1, args.size()).toArray(), null));
                return NO_RETURN_VALUE;
            }
            case Opcodes.REDUCE:
            case Opcodes.NEWOBJ: {
                Object args = stack.pop();
                Object callable = stack.pop();
                stack.add(call(callable, tuple(args), null));
                return NO_RETURN_VALUE;
            }
            case Opcodes.NEWOBJ_EX: {
                Object kwargs = stack.pop();
                Object args = stack.pop();
                Object cls = stack.pop();
                if (!(kwargs instanceof Map)) {
                    throw refused("NEWOBJ_EX keyword arguments are not a dict");
                }
                @SuppressWarnings("unchecked")
                Map<Object, Object> kw = (Map<Object, Object>) kwargs;
                stack.add(call(cls, tuple(args), kw));
                return NO_RETURN_VALUE;
            }
            case Opcodes.BUILD: {
                Object state = stack.pop();
                build(stack.peek(), state);
                return NO_RETURN_VALUE;
            }
            case Opcodes.BINPERSID: {
                Object pid = stack.pop();
                if (!(pid instanceof Object[])) {
                    throw refused("persistent id is not a tuple");
                }
                stack.add(storages.resolve((Object[]) pid));
                return NO_RETURN_VALUE;
            }
            case Opcodes.PERSID:
                throw refused("text persistent ids (PERSID) are not used by torch.save");
            case Opcodes.EMPTY_DICT:
                stack.add(new LinkedHashMap<>());
                return NO_RETURN_VALUE;
            case Opcodes.DICT: {
                List<Object> items = stack.pop_all_since_marker();
                if (items.size() % 2 != 0) {
                    throw refused("DICT with an odd number of items");
                }
                Map<Object, Object> map = new LinkedHashMap<>();
                putPairs(map, items);
                stack.add(map);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEM: {
                Object value = stack.pop();
                Object k = stack.pop();
                target(Map.class, "SETITEM").put(hashable(k), value);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEMS: {
                List<Object> items = stack.pop_all_since_marker();
                if (items.size() % 2 != 0) {
                    throw refused("SETITEMS with an odd number of items");
                }
                putPairs(target(Map.class, "SETITEMS"), items);
                return NO_RETURN_VALUE;
            }
            case Opcodes.APPEND: {
                Object value = stack.pop();
                target(List.class, "APPEND").add(value);
                return NO_RETURN_VALUE;
            }
            case Opcodes.APPENDS: {
                List<Object> items = stack.pop_all_since_marker();
                target(List.class, "APPENDS").addAll(items);
                return NO_RETURN_VALUE;
            }
            case Opcodes.EMPTY_SET:
                stack.add(new LinkedHashSet<>());
                return NO_RETURN_VALUE;
            case Opcodes.ADDITEMS: {
                List<Object> items = stack.pop_all_since_marker();
                Set<Object> set = target(Set.class, "ADDITEMS");
                for (Object o : items) {
                    set.add(hashable(o));
                }
                return NO_RETURN_VALUE;
            }
            case Opcodes.FROZENSET:
                stack.add(toSet(stack.pop_all_since_marker()));
                return NO_RETURN_VALUE;
            case Opcodes.BINBYTES:
            case Opcodes.BINUNICODE:
            case Opcodes.BINSTRING:
            case Opcodes.LONG4:
                requireAvailable(buffer.position() + 4 <= buffer.limit() ? buffer.getInt(buffer.position()) : -1, 4);
                return super.dispatch(key);
            case Opcodes.BINBYTES8:
            case Opcodes.BINUNICODE8:
            case Opcodes.BYTEARRAY8:
                requireAvailable(buffer.position() + 8 <= buffer.limit() ? buffer.getLong(buffer.position()) : -1, 8);
                return super.dispatch(key);
            case Opcodes.NEXT_BUFFER:
                throw refused("out-of-band buffers (NEXT_BUFFER) are not used by torch.save");
            default:
                return super.dispatch(key);
        }
    }

    /** Rejects a length prefix that is negative or runs past the end of the pickle, before any allocation. */
    private void requireAvailable(long length, int prefixBytes) throws CheckpointFormatException {
        long left = buffer.remaining() - prefixBytes;
        if (length < 0 || length > left) {
            throw refused("length prefix " + length + " at byte " + buffer.position() + " exceeds the " + Math.max(left, 0)
                    + " bytes left");
        }
    }

    private CheckpointFormatException refused(String what) {
        return new CheckpointFormatException(where + ": " + what + " (at byte " + buffer.position() + ")");
    }

    @SuppressWarnings("unchecked")
    private <T> T target(Class<T> kind, String opcode) throws CheckpointFormatException {
        Object top = stack.peek();
        if (!kind.isInstance(top)) {
            throw refused(opcode + " on " + typeName(top) + ", expected a " + kind.getSimpleName());
        }
        return (T) top;
    }

    private void putPairs(Map<Object, Object> map, List<Object> items) throws CheckpointFormatException {
        for (int i = 0; i < items.size(); i += 2) {
            map.put(hashable(items.get(i)), items.get(i + 1));
        }
    }

    private Set<Object> toSet(Collection<?> items) throws CheckpointFormatException {
        Set<Object> set = new LinkedHashSet<>();
        for (Object o : items) {
            set.add(hashable(o));
        }
        return set;
    }

    /**
     * Dict keys and set members must be values whose hash does not walk a structure: a crafted pickle could make a
     * list its own key (Python would refuse: lists are unhashable), and Java's list hashCode would recurse forever.
     */
    private Object hashable(Object k) throws CheckpointFormatException {
        if (k == null || k instanceof String || k instanceof Number || k instanceof Boolean || k instanceof Object[]
                || k instanceof GlobalRef || k instanceof PyObject || k instanceof byte[]) {
            return k;
        }
        throw refused("unhashable " + typeName(k) + " used as a dict key or set member");
    }

    private Object[] tuple(Object args) throws CheckpointFormatException {
        if (!(args instanceof Object[])) {
            throw refused("call arguments are " + typeName(args) + ", expected a tuple");
        }
        return (Object[]) args;
    }

    /** The allowlist: what calling each known global yields. Anything else becomes an inert record. */
    private Object call(Object callable, Object[] args, Map<Object, Object> kwargs) throws CheckpointFormatException {
        if (!(callable instanceof GlobalRef)) {
            throw refused("call of " + typeName(callable) + ", which is not a global");
        }
        GlobalRef g = (GlobalRef) callable;
        String name = g.qualifiedName();
        switch (name) {
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
                return rebuildTensor(args, name);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                if (args.length < 1 || !(args[0] instanceof StoredTensor)) {
                    throw refused(name + " expects a tensor as its first argument");
                }
                return ((StoredTensor) args[0]).asParameter();
            case "torch._tensor._rebuild_from_type_v2":
                // (func, type, args, state): the tensor comes from func(*args); the subclass type is not kept.
                if (args.length < 3) {
                    throw refused(name + " expects (func, type, args, state)");
                }
                return call(args[0], tuple(args[2]), null);
            case "collections.OrderedDict":
            case "collections.defaultdict": {
                Map<Object, Object> map = new LinkedHashMap<>();
                if (name.equals("collections.OrderedDict") && args.length == 1 && args[0] instanceof List) {
                    for (Object pair : (List<?>) args[0]) {
                        if (!(pair instanceof Object[]) || ((Object[]) pair).length != 2) {
                            throw refused("OrderedDict item is not a (key, value) pair");
                        }
                        map.put(hashable(((Object[]) pair)[0]), ((Object[]) pair)[1]);
                    }
                }
                return map;
            }
            case "argparse.Namespace":
                return new Namespace();
            case "builtins.set":
            case "__builtin__.set":
            case "builtins.frozenset":
            case "__builtin__.frozenset":
                if (args.length == 0) {
                    return new LinkedHashSet<>();
                }
                if (args[0] instanceof Collection) {
                    return toSet((Collection<?>) args[0]);
                }
                throw refused(name + " expects a list");
            case "torch.Size": {
                List<Object> dims = new ArrayList<>();
                if (args.length == 1 && args[0] instanceof Object[]) {
                    dims.addAll(Arrays.asList((Object[]) args[0]));
                }
                return dims;
            }
            case "torch.device":
                if (args.length >= 1 && args[0] instanceof String) {
                    return args.length >= 2 && args[1] != null ? args[0] + ":" + args[1] : args[0];
                }
                throw refused("torch.device expects a string");
            case "_codecs.encode":
                // protocol-2 bytes: _codecs.encode(text, 'latin1') maps each char to one byte.
                if (args.length >= 1 && args[0] instanceof String) {
                    return ((String) args[0]).getBytes(StandardCharsets.ISO_8859_1);
                }
                throw refused("_codecs.encode expects a string");
            case "copyreg._reconstructor":
            case "copy_reg._reconstructor":
                // old-protocol instances: _reconstructor(cls, base, state); keep the class's name only.
                if (args.length >= 1 && args[0] instanceof GlobalRef) {
                    return new PyObject(((GlobalRef) args[0]).qualifiedName(), new ArrayList<>(), null);
                }
                throw refused(name + " expects a class");
            case "numpy.core.multiarray.scalar":
            case "numpy._core.multiarray.scalar": {
                // metrics saved as numpy scalars: scalar(dtype('f8', ...), raw bytes) decodes to a plain number
                Object number = numpyScalar(args);
                if (number != null) {
                    return number;
                }
                break;
            }
            default:
                break;
        }
        if (g.module().equals("torch._utils") || g.module().equals("torch._tensor")
                || g.name().endsWith("Storage")) {
            throw refused("unsupported tensor or storage constructor " + name
                    + " (only dense CPU tensors rebuilt by _rebuild_tensor[_v2] are read)");
        }
        if (refuseUnknownGlobals) {
            throw refused("refused global " + name + " (not on the allowlist of tensor and container types)");
        }
        return new PyObject(name, new ArrayList<>(Arrays.asList(args)),
                kwargs == null ? null : new LinkedHashMap<>(kwargs));
    }

    /** A numpy scalar of a little-endian or byte-sized float, int or bool dtype as a Java value; else null. */
    private static Object numpyScalar(Object[] args) {
        if (args.length != 2 || !(args[0] instanceof PyObject) || !(args[1] instanceof byte[])) {
            return null;
        }
        PyObject dtype = (PyObject) args[0];
        if (!dtype.type().endsWith("numpy.dtype") || dtype.args().isEmpty() || !(dtype.args().get(0) instanceof String)) {
            return null;
        }
        Object state = dtype.state();
        if (state instanceof Object[] && ((Object[]) state).length > 1 && ">".equals(((Object[]) state)[1])) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap((byte[]) args[1]).order(ByteOrder.LITTLE_ENDIAN);
        String code = (String) dtype.args().get(0);
        int need = code.length() == 2 && Character.isDigit(code.charAt(1)) ? code.charAt(1) - '0' : -1;
        if (need <= 0 || b.remaining() != need) {
            return null;
        }
        switch (code) {
            case "f8": return b.getDouble();
            case "f4": return (double) b.getFloat();
            case "i8": return b.getLong();
            case "i4": return (long) b.getInt();
            case "i2": return (long) b.getShort();
            case "i1": return (long) b.get();
            case "u1": return (long) (b.get() & 0xff);
            case "b1": return b.get() != 0;
            default: return null;
        }
    }

    private StoredTensor rebuildTensor(Object[] args, String name) throws CheckpointFormatException {
        if (args.length < 4 || !(args[0] instanceof Storage)) {
            throw refused(name + " expects (storage, offset, size, stride, ...)");
        }
        Storage storage = (Storage) args[0];
        long offset = integer(args[1], "storage offset");
        long[] size = integers(args[2], "size");
        long[] stride = integers(args[3], "stride");
        return StoredTensor.view(storage, offset, size, stride, where + ": tensor on storage " + storage.key());
    }

    private long integer(Object o, String what) throws CheckpointFormatException {
        if (o instanceof Integer || o instanceof Long) {
            return ((Number) o).longValue();
        }
        throw refused(what + " is " + typeName(o) + ", expected an integer");
    }

    private long[] integers(Object o, String what) throws CheckpointFormatException {
        List<?> items;
        if (o instanceof Object[]) {
            items = Arrays.asList((Object[]) o);
        } else if (o instanceof List) {
            items = (List<?>) o;
        } else {
            throw refused(what + " is " + typeName(o) + ", expected a tuple of integers");
        }
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(items.get(i), what);
        }
        return out;
    }

    private void build(Object target, Object state) throws CheckpointFormatException {
        if (target instanceof PyObject) {
            ((PyObject) target).addState(state);
        } else if (target instanceof Namespace) {
            if (!(state instanceof Map)) {
                throw refused("argparse.Namespace state is " + typeName(state) + ", expected a dict");
            }
            for (Map.Entry<?, ?> e : ((Map<?, ?>) state).entrySet()) {
                ((Namespace) target).attributes().put(String.valueOf(e.getKey()), e.getValue());
            }
        } else if (!(target instanceof Map)) {
            // An OrderedDict's BUILD carries instance attributes (a state_dict's _metadata of module versions),
            // which importing does not need; anything else has no state to set.
            throw refused("BUILD on " + typeName(target));
        }
    }

    static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Object[]) {
            return "tuple";
        }
        if (o instanceof PyObject) {
            return ((PyObject) o).type();
        }
        return o.getClass().getSimpleName();
    }

    /** An InputStream over the pickle buffer, so its position is the parse position. */
    private static final class BufferStream extends InputStream {
        private final ByteBuffer buf;

        BufferStream(ByteBuffer buf) {
            this.buf = buf;
        }

        @Override
        public int read() {
            return buf.hasRemaining() ? buf.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!buf.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }
    }
}
