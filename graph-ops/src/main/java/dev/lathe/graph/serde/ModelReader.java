package dev.lathe.graph.serde;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.proto.OnnxProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code .onnx} files (and their external data files) into the IR. Protobuf stays inside this package. */
final class ModelReader {
    private final Path source;
    private final Path baseDir;

    ModelReader(Path source) {
        this.source = source;
        Path parent = source.toAbsolutePath().getParent();
        this.baseDir = parent == null ? Path.of(".") : parent;
    }

    Model read() throws IOException {
        if (!Files.exists(source)) {
            throw new NoSuchFileException(source.toString(), null, "model file does not exist");
        }
        long size = Files.size(source);
        if (size == 0) {
            throw new OnnxFormatException(source + ": file is empty, expected an ONNX model");
        }
        OnnxProto.ModelProto proto;
        try (FileChannel ch = FileChannel.open(source, StandardOpenOption.READ)) {
            if (size > Integer.MAX_VALUE) {
                throw new OnnxFormatException(source + ": protobuf part is " + size
                        + " bytes; ONNX files over 2 GB must keep tensors in external data");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            // Through an immutable ByteString: CodedInputStream.newInstance(ByteBuffer) treats the buffer as mutable
            // and then copies every bytes field even with aliasing enabled (measured: 100 MB of heap per load).
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(map).newCodedInput();
            in.enableAliasing(true); // raw_data fields alias the mapping instead of being copied
            in.setRecursionLimit(200);
            proto = OnnxProto.ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(source + ": not a valid ONNX model (" + e.getMessage() + ")", e);
        }
        return read(proto);
    }

    /** Reads a serialized model held in memory (tensors inline, no external data). */
    Model read(byte[] bytes) throws IOException {
        OnnxProto.ModelProto proto;
        try {
            proto = OnnxProto.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(source + ": not a valid ONNX model (" + e.getMessage() + ")", e);
        }
        return read(proto);
    }

    private Model read(OnnxProto.ModelProto proto) throws IOException {
        if (!proto.hasGraph()) {
            throw new OnnxFormatException(source + ": not an ONNX model (no graph)");
        }
        if (proto.getIrVersion() <= 0) {
            throw new OnnxFormatException(source + ": not an ONNX model (missing ir_version)");
        }
        Model m = new Model(readGraph(proto.getGraph(), null));
        m.setIrVersion(proto.getIrVersion());
        m.setProducerName(proto.getProducerName());
        m.setProducerVersion(proto.getProducerVersion());
        m.setDomain(proto.getDomain());
        m.setModelVersion(proto.getModelVersion());
        m.setDocString(proto.getDocString());
        m.opsetImports().clear();
        for (OnnxProto.OperatorSetIdProto o : proto.getOpsetImportList()) {
            m.opsetImports().put(o.getDomain(), o.getVersion());
        }
        for (OnnxProto.StringStringEntryProto e : proto.getMetadataPropsList()) {
            m.metadataProps().put(e.getKey(), e.getValue());
        }
        for (OnnxProto.FunctionProto f : proto.getFunctionsList()) {
            m.opaqueFunctions().add(f.toByteArray());
        }
        for (OnnxProto.TrainingInfoProto t : proto.getTrainingInfoList()) {
            m.opaqueTrainingInfo().add(t.toByteArray());
        }
        return m;
    }

    /** Name scope for resolving node inputs, chained to the enclosing graph's scope for subgraphs. */
    private record Scope(Map<String, Value> values, Scope outer) {
        Value lookup(String name) {
            for (Scope s = this; s != null; s = s.outer) {
                Value v = s.values.get(name);
                if (v != null) {
                    return v;
                }
            }
            return null;
        }
    }

    private Graph readGraph(OnnxProto.GraphProto gp, Scope outer) {
        Graph g = new Graph(gp.getName());
        g.setDocString(gp.getDocString());
        Scope scope = new Scope(new HashMap<>(), outer);
        Map<String, OnnxProto.TypeProto> declared = new HashMap<>();
        Map<String, Value> forward = new HashMap<>();
        for (OnnxProto.ValueInfoProto vi : gp.getValueInfoList()) {
            declared.put(vi.getName(), vi.getType());
        }
        for (OnnxProto.TensorProto tp : gp.getInitializerList()) {
            Value v = g.addInitializer(tp.getName(), readTensor(tp, "initializer " + tp.getName()));
            v.setDocString(tp.getDocString());
            scope.values.put(v.name(), v);
        }
        for (OnnxProto.ValueInfoProto vi : gp.getInputList()) {
            Value existing = scope.values.get(vi.getName());
            if (existing != null) {
                // IR < 4 lists initializers as inputs too; the input then carries a default value
                g.addInput(existing);
                continue;
            }
            Value v = typed(new Value(vi.getName(), null), vi.hasType() ? vi.getType() : null,
                    "graph input " + vi.getName());
            v.setDocString(vi.getDocString());
            g.addInput(v);
            scope.values.put(v.name(), v);
        }
        for (OnnxProto.NodeProto np : gp.getNodeList()) {
            String where = "node '" + np.getName() + "' (" + np.getOpType() + ")";
            List<Value> inputs = new ArrayList<>();
            for (String in : np.getInputList()) {
                if (in.isEmpty()) {
                    inputs.add(null);
                    continue;
                }
                Value v = scope.lookup(in);
                if (v == null) {
                    // forward reference (graph not sorted) or undefined; resolved below
                    v = typed(new Value(in, null), declared.get(in), "value_info " + in);
                    scope.values.put(in, v);
                    forward.put(in, v);
                }
                inputs.add(v);
            }
            List<Value> outputs = new ArrayList<>();
            for (String out : np.getOutputList()) {
                Value v = forward.remove(out);
                if (v == null) {
                    v = typed(new Value(out, null), declared.get(out), "value_info " + out);
                } else if (v.type() == null && v.opaqueType() == null) {
                    typed(v, declared.get(out), "value_info " + out);
                }
                outputs.add(v);
                if (!out.isEmpty()) {
                    scope.values.put(out, v);
                }
            }
            Node n = new Node(np.getDomain(), np.getOpType(), np.getName(), inputs, outputs);
            n.setOverload(np.getOverload());
            n.setDocString(np.getDocString());
            for (OnnxProto.StringStringEntryProto e : np.getMetadataPropsList()) {
                n.metadataProps().put(e.getKey(), e.getValue());
            }
            for (OnnxProto.AttributeProto ap : np.getAttributeList()) {
                n.attr(ap.getName(), readAttr(ap, scope, where));
            }
            g.addNode(n);
        }
        if (!forward.isEmpty()) {
            String name = forward.keySet().iterator().next();
            throw new OnnxFormatException(source + ": graph '" + gp.getName() + "' uses value '" + name
                    + "' that no node, input or initializer defines");
        }
        for (OnnxProto.ValueInfoProto vi : gp.getOutputList()) {
            Value v = scope.lookup(vi.getName());
            if (v == null) {
                throw new OnnxFormatException(source + ": graph output '" + vi.getName() + "' is never produced");
            }
            if (vi.hasType() && !vi.getType().hasTensorType()) {
                v.setOpaqueType(vi.getType().toByteArray());
            }
            TensorType t = readType(vi.getType(), "graph output " + vi.getName());
            if (t != null && (v.type() == null || v.type().shape() == null)) {
                v.setType(t);
            } else if (t != null && v.producer() != null) {
                v.setType(t); // the declared output type wins over value_info
            }
            g.addOutput(v);
        }
        for (OnnxProto.SparseTensorProto s : gp.getSparseInitializerList()) {
            g.opaqueSparseInitializers().add(s.toByteArray());
        }
        for (OnnxProto.TensorAnnotation a : gp.getQuantizationAnnotationList()) {
            g.opaqueQuantizationAnnotations().add(a.toByteArray());
        }
        for (OnnxProto.StringStringEntryProto e : gp.getMetadataPropsList()) {
            g.metadataProps().put(e.getKey(), e.getValue());
        }
        return g;
    }

    private Attr readAttr(OnnxProto.AttributeProto ap, Scope scope, String where) {
        String at = where + " attribute " + ap.getName();
        if (!ap.getRefAttrName().isEmpty()) {
            return new Attr.OpaqueAttr(ap.toByteArray());
        }
        OnnxProto.AttributeProto.AttributeType t = ap.getType();
        return switch (t) {
            case FLOAT -> new Attr.FloatAttr(ap.getF());
            case INT -> new Attr.IntAttr(ap.getI());
            case STRING -> new Attr.StringAttr(ap.getS().toByteArray());
            case TENSOR -> new Attr.TensorAttr(readTensor(ap.getT(), at));
            case GRAPH -> new Attr.GraphAttr(readGraph(ap.getG(), scope));
            case FLOATS -> {
                float[] f = new float[ap.getFloatsCount()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = ap.getFloats(i);
                }
                yield new Attr.FloatsAttr(f);
            }
            case INTS -> new Attr.IntsAttr(ap.getIntsList().stream().mapToLong(Long::longValue).toArray());
            case STRINGS -> new Attr.StringsAttr(ap.getStringsList().stream().map(ByteString::toByteArray).toList());
            case TENSORS -> new Attr.TensorsAttr(ap.getTensorsList().stream().map(x -> readTensor(x, at)).toList());
            case GRAPHS -> new Attr.GraphsAttr(ap.getGraphsList().stream().map(x -> readGraph(x, scope)).toList());
            // a non-tensor type (Optional's sequence type, say) is kept verbatim like the other unmodelled attributes
            case TYPE_PROTO -> ap.getTp().hasTensorType() ? new Attr.TypeAttr(readType(ap.getTp(), at))
                    : new Attr.OpaqueAttr(ap.toByteArray());
            case TYPE_PROTOS -> ap.getTypeProtosList().stream().allMatch(OnnxProto.TypeProto::hasTensorType)
                    ? new Attr.TypesAttr(ap.getTypeProtosList().stream().map(x -> readType(x, at)).toList())
                    : new Attr.OpaqueAttr(ap.toByteArray());
            case SPARSE_TENSOR, SPARSE_TENSORS -> new Attr.OpaqueAttr(ap.toByteArray());
            case UNDEFINED -> throw new OnnxFormatException(source + ": " + at + " has no type");
        };
    }

    /** Gives {@code v} the declared type: a tensor type, or a non-tensor TypeProto kept verbatim. */
    private Value typed(Value v, OnnxProto.TypeProto tp, String where) {
        if (tp == null) {
            return v;
        }
        if (tp.hasTensorType()) {
            v.setType(readType(tp, where));
        } else if (tp.hasSequenceType() || tp.hasOptionalType() || tp.hasMapType() || tp.hasSparseTensorType()) {
            v.setOpaqueType(tp.toByteArray());
        }
        return v;
    }

    private TensorType readType(OnnxProto.TypeProto tp, String where) {
        if (tp == null || !tp.hasTensorType()) {
            return null;
        }
        OnnxProto.TypeProto.Tensor tt = tp.getTensorType();
        DataType dt;
        try {
            dt = DataType.fromCode(tt.getElemType());
        } catch (IllegalArgumentException e) {
            throw new OnnxFormatException(source + ": " + where + ": " + e.getMessage());
        }
        if (!tt.hasShape()) {
            return new TensorType(dt, null);
        }
        List<Dim> dims = new ArrayList<>();
        for (OnnxProto.TensorShapeProto.Dimension d : tt.getShape().getDimList()) {
            if (d.hasDimValue()) {
                dims.add(d.getDimValue() >= 0 ? Dim.of(d.getDimValue()) : Dim.UNKNOWN);
            } else if (d.hasDimParam() && !d.getDimParam().isEmpty()) {
                dims.add(Dim.of(d.getDimParam()));
            } else {
                dims.add(Dim.UNKNOWN);
            }
        }
        return new TensorType(dt, new Shape(dims));
    }

    Tensor readTensor(OnnxProto.TensorProto tp, String where) {
        DataType dt;
        try {
            dt = DataType.fromCode(tp.getDataType());
        } catch (IllegalArgumentException e) {
            throw new OnnxFormatException(source + ": " + where + ": " + e.getMessage());
        }
        if (dt == DataType.UNDEFINED) {
            throw new OnnxFormatException(source + ": " + where + " has no data type");
        }
        long[] dims = tp.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long n;
        try {
            n = Tensor.numel(dims);
        } catch (IllegalArgumentException e) {
            throw new OnnxFormatException(source + ": " + where + ": " + e.getMessage());
        }
        if (dt == DataType.STRING) {
            return Tensor.ofStrings(dims, tp.getStringDataList().stream().map(ByteString::toByteArray).toList());
        }
        long bytes = dt.byteSize(n);
        ByteBuffer data;
        if (tp.getDataLocation() == OnnxProto.TensorProto.DataLocation.EXTERNAL) {
            data = readExternal(tp, where, bytes);
        } else if (tp.hasRawData()) {
            data = tp.getRawData().asReadOnlyByteBuffer();
            if (data.remaining() != bytes) {
                throw new OnnxFormatException(source + ": " + where + " " + dt + java.util.Arrays.toString(dims)
                        + " needs " + bytes + " bytes of raw_data, file has " + data.remaining());
            }
        } else {
            data = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            fillTyped(tp, dt, data, n, where);
            data.flip();
        }
        return Tensor.of(dt, dims, data);
    }

    private void fillTyped(OnnxProto.TensorProto tp, DataType dt, ByteBuffer out, long n, String where) {
        int count = switch (dt) {
            case FLOAT, COMPLEX64 -> tp.getFloatDataCount();
            case DOUBLE, COMPLEX128 -> tp.getDoubleDataCount();
            case INT64 -> tp.getInt64DataCount();
            case UINT32, UINT64 -> tp.getUint64DataCount();
            default -> tp.getInt32DataCount();
        };
        long expected = (dt == DataType.COMPLEX64 || dt == DataType.COMPLEX128) ? 2 * n
                : (dt.bits() == 4 ? (n + 1) / 2 : n);
        if (count != expected) {
            throw new OnnxFormatException(source + ": " + where + " holds " + count + " typed elements, shape needs "
                    + expected);
        }
        for (int i = 0; i < count; i++) {
            switch (dt) {
                case FLOAT, COMPLEX64 -> out.putFloat(tp.getFloatData(i));
                case DOUBLE, COMPLEX128 -> out.putDouble(tp.getDoubleData(i));
                case INT64 -> out.putLong(tp.getInt64Data(i));
                case UINT32 -> out.putInt((int) tp.getUint64Data(i));
                case UINT64 -> out.putLong(tp.getUint64Data(i));
                case INT32 -> out.putInt(tp.getInt32Data(i));
                case INT16, UINT16, FLOAT16, BFLOAT16 -> out.putShort((short) tp.getInt32Data(i));
                default -> out.put((byte) tp.getInt32Data(i));
            }
        }
    }

    private final Map<Path, FileChannel> channels = new HashMap<>();

    private ByteBuffer readExternal(OnnxProto.TensorProto tp, String where, long bytes) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (OnnxProto.StringStringEntryProto e : tp.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = Long.parseLong(e.getValue());
                case "length" -> length = Long.parseLong(e.getValue());
                default -> { }
            }
        }
        if (location == null) {
            throw new OnnxFormatException(source + ": " + where + " is external but has no location");
        }
        Path file = baseDir.resolve(location).normalize();
        if (!file.startsWith(baseDir.normalize())) {
            throw new OnnxFormatException(source + ": " + where + " external location '" + location
                    + "' points outside the model's folder");
        }
        if (length >= 0 && length != bytes) {
            throw new OnnxFormatException(source + ": " + where + " external length " + length + " but shape needs "
                    + bytes + " bytes");
        }
        try {
            FileChannel ch = channels.get(file);
            if (ch == null) {
                ch = FileChannel.open(file, StandardOpenOption.READ);
                channels.put(file, ch);
            }
            if (offset + bytes > ch.size()) {
                throw new OnnxFormatException(source + ": " + where + " reads bytes " + offset + ".." + (offset + bytes)
                        + " of " + file + ", which has only " + ch.size());
            }
            // a mapping stays valid after its channel closes
            return ch.map(FileChannel.MapMode.READ_ONLY, offset, bytes).order(ByteOrder.LITTLE_ENDIAN);
        } catch (NoSuchFileException e) {
            throw new OnnxFormatException(source + ": " + where + " external data file " + file + " does not exist");
        } catch (IOException e) {
            throw new OnnxFormatException(source + ": " + where + " cannot read external data " + file + ": "
                    + e.getMessage(), e);
        }
    }

    void closeChannels() {
        for (FileChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only channel; mappings stay valid
            }
        }
    }
}
