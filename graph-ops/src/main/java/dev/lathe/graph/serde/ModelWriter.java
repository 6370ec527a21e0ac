package dev.lathe.graph.serde;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.proto.OnnxProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Writes the IR as a ModelProto, streaming tensor bytes without copying them into the heap. */
final class ModelWriter {
    private final OnnxSaveOptions options;
    private FileChannel external;
    private Path externalTemp;
    private String externalName;
    private long externalOffset;

    ModelWriter(OnnxSaveOptions options) {
        this.options = options;
    }

    /**
     * Writes atomically through {@link AtomicFiles}: model (and external data file) go to temporary files beside the
     * target, with the user's umask permissions, that are renamed at the end. The library creates a missing parent
     * folder (programmatic callers write into fresh folders); the CLI refuses a missing output folder before this.
     */
    void write(Model model, Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw AtomicFiles.failure(target, e);
            }
        }
        boolean useExternal = options.externalData() || totalTensorBytes(model.graph()) > options.externalAbove();
        Path externalTarget = null;
        if (useExternal) {
            externalName = options.externalFileName() != null ? options.externalFileName()
                    : abs.getFileName().toString() + ".data";
            externalTarget = target.resolveSibling(externalName);
            externalTemp = AtomicFiles.tempBeside(externalTarget);
            external = FileChannel.open(externalTemp, StandardOpenOption.WRITE);
        }
        Path tmp = AtomicFiles.tempBeside(target);
        try {
            OnnxProto.ModelProto proto = toProto(model);
            try (OutputStream out = Files.newOutputStream(tmp)) {
                CodedOutputStream cos = CodedOutputStream.newInstance(out, 1 << 16);
                proto.writeTo(cos);
                cos.flush();
            } catch (IOException e) {
                throw AtomicFiles.failure(target, e);
            }
            if (external != null) {
                try {
                    external.force(true);
                    external.close();
                } catch (IOException e) {
                    throw AtomicFiles.failure(externalTarget, e);
                }
                AtomicFiles.commit(externalTemp, externalTarget);
            }
            AtomicFiles.commit(tmp, target);
        } finally {
            AtomicFiles.discard(tmp);
            if (external != null) {
                external.close();
                AtomicFiles.discard(externalTemp);
            }
        }
    }

    private static long totalTensorBytes(Graph g) {
        long total = 0;
        for (Value v : g.initializers().values()) {
            total += v.constValue().byteSize();
        }
        return total;
    }

    OnnxProto.ModelProto toProto(Model m) throws IOException {
        OnnxProto.ModelProto.Builder b = OnnxProto.ModelProto.newBuilder()
                .setIrVersion(m.irVersion())
                .setProducerName(m.producerName())
                .setProducerVersion(m.producerVersion())
                .setDomain(m.domain())
                .setModelVersion(m.modelVersion())
                .setDocString(m.docString())
                .setGraph(graph(m.graph(), m.irVersion() < 4));
        for (Map.Entry<String, Long> e : m.opsetImports().entrySet()) {
            b.addOpsetImport(OnnxProto.OperatorSetIdProto.newBuilder().setDomain(e.getKey()).setVersion(e.getValue()));
        }
        m.metadataProps().forEach((k, v) -> b.addMetadataProps(entry(k, v)));
        for (byte[] f : m.opaqueFunctions()) {
            b.addFunctions(OnnxProto.FunctionProto.parseFrom(f));
        }
        for (byte[] t : m.opaqueTrainingInfo()) {
            b.addTrainingInfo(OnnxProto.TrainingInfoProto.parseFrom(t));
        }
        return b.build();
    }

    private static OnnxProto.StringStringEntryProto entry(String k, String v) {
        return OnnxProto.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    /**
     * @param initializersAreInputs IR < 4: every initializer must also be a graph input (ONNX's checker requires it),
     *     so initializers a pass added (folded constants, folded BatchNorm weights) are listed after the inputs
     */
    private OnnxProto.GraphProto graph(Graph g, boolean initializersAreInputs) throws IOException {
        OnnxProto.GraphProto.Builder b = OnnxProto.GraphProto.newBuilder().setName(g.name()).setDocString(g.docString());
        Set<Value> declared = new HashSet<>();
        for (Value v : g.initializers().values()) {
            b.addInitializer(tensor(v.constValue(), v.name(), v.docString(), true));
        }
        for (Value v : g.inputs()) {
            b.addInput(valueInfo(v));
            declared.add(v);
        }
        if (initializersAreInputs) {
            for (Value v : g.initializers().values()) {
                if (declared.add(v)) {
                    b.addInput(valueInfo(v));
                }
            }
        }
        for (Node n : g.nodes()) {
            OnnxProto.NodeProto.Builder nb = OnnxProto.NodeProto.newBuilder()
                    .setName(n.name()).setOpType(n.opType()).setDomain(n.domain()).setDocString(n.docString());
            if (!n.overload().isEmpty()) {
                nb.setOverload(n.overload());
            }
            for (Value in : n.inputs()) {
                nb.addInput(in == null ? "" : in.name());
            }
            for (Value out : n.outputs()) {
                nb.addOutput(out.name());
            }
            for (Map.Entry<String, Attr> e : n.attributes().entrySet()) {
                nb.addAttribute(attribute(e.getKey(), e.getValue()));
            }
            n.metadataProps().forEach((k, v) -> nb.addMetadataProps(entry(k, v)));
            b.addNode(nb);
        }
        for (Value v : g.outputs()) {
            b.addOutput(valueInfo(v));
            declared.add(v);
        }
        for (Node n : g.nodes()) {
            for (Value v : n.outputs()) {
                if (!declared.contains(v) && (v.type() != null || v.opaqueType() != null) && !v.name().isEmpty()) {
                    b.addValueInfo(valueInfo(v));
                }
            }
        }
        for (byte[] s : g.opaqueSparseInitializers()) {
            b.addSparseInitializer(OnnxProto.SparseTensorProto.parseFrom(s));
        }
        for (byte[] a : g.opaqueQuantizationAnnotations()) {
            b.addQuantizationAnnotation(OnnxProto.TensorAnnotation.parseFrom(a));
        }
        g.metadataProps().forEach((k, v) -> b.addMetadataProps(entry(k, v)));
        return b.build();
    }

    private static OnnxProto.ValueInfoProto valueInfo(Value v) throws IOException {
        OnnxProto.ValueInfoProto.Builder b = OnnxProto.ValueInfoProto.newBuilder().setName(v.name());
        if (v.type() != null) {
            b.setType(type(v.type()));
        } else if (v.opaqueType() != null) {
            b.setType(OnnxProto.TypeProto.parseFrom(v.opaqueType()));
        }
        if (!v.docString().isEmpty()) {
            b.setDocString(v.docString());
        }
        return b.build();
    }

    private static OnnxProto.TypeProto type(TensorType t) {
        OnnxProto.TypeProto.Tensor.Builder tb = OnnxProto.TypeProto.Tensor.newBuilder().setElemType(t.dtype().code());
        if (t.shape() != null) {
            OnnxProto.TensorShapeProto.Builder sb = OnnxProto.TensorShapeProto.newBuilder();
            for (Dim d : t.shape().dims()) {
                OnnxProto.TensorShapeProto.Dimension.Builder db = OnnxProto.TensorShapeProto.Dimension.newBuilder();
                if (d instanceof Dim.Fixed f) {
                    db.setDimValue(f.size());
                } else if (d instanceof Dim.Symbolic s) {
                    db.setDimParam(s.name());
                }
                sb.addDim(db);
            }
            tb.setShape(sb);
        }
        return OnnxProto.TypeProto.newBuilder().setTensorType(tb).build();
    }

    private OnnxProto.AttributeProto attribute(String name, Attr a) throws IOException {
        if (a instanceof Attr.OpaqueAttr o) {
            return OnnxProto.AttributeProto.parseFrom(o.proto()).toBuilder().setName(name).build();
        }
        OnnxProto.AttributeProto.Builder b = OnnxProto.AttributeProto.newBuilder().setName(name);
        if (a instanceof Attr.FloatAttr f) {
            b.setType(OnnxProto.AttributeProto.AttributeType.FLOAT).setF(f.value());
        } else if (a instanceof Attr.IntAttr i) {
            b.setType(OnnxProto.AttributeProto.AttributeType.INT).setI(i.value());
        } else if (a instanceof Attr.StringAttr s) {
            b.setType(OnnxProto.AttributeProto.AttributeType.STRING).setS(ByteString.copyFrom(s.bytes()));
        } else if (a instanceof Attr.TensorAttr t) {
            b.setType(OnnxProto.AttributeProto.AttributeType.TENSOR).setT(tensor(t.value(), "", "", false));
        } else if (a instanceof Attr.GraphAttr g) {
            b.setType(OnnxProto.AttributeProto.AttributeType.GRAPH).setG(graph(g.value(), false));
        } else if (a instanceof Attr.FloatsAttr f) {
            b.setType(OnnxProto.AttributeProto.AttributeType.FLOATS);
            for (float x : f.values()) {
                b.addFloats(x);
            }
        } else if (a instanceof Attr.IntsAttr i) {
            b.setType(OnnxProto.AttributeProto.AttributeType.INTS);
            for (long x : i.values()) {
                b.addInts(x);
            }
        } else if (a instanceof Attr.StringsAttr s) {
            b.setType(OnnxProto.AttributeProto.AttributeType.STRINGS);
            s.values().forEach(x -> b.addStrings(ByteString.copyFrom(x)));
        } else if (a instanceof Attr.TensorsAttr t) {
            b.setType(OnnxProto.AttributeProto.AttributeType.TENSORS);
            for (Tensor x : t.values()) {
                b.addTensors(tensor(x, "", "", false));
            }
        } else if (a instanceof Attr.GraphsAttr gs) {
            b.setType(OnnxProto.AttributeProto.AttributeType.GRAPHS);
            for (Graph x : gs.values()) {
                b.addGraphs(graph(x, false));
            }
        } else if (a instanceof Attr.TypeAttr t) {
            b.setType(OnnxProto.AttributeProto.AttributeType.TYPE_PROTO).setTp(type(t.value()));
        } else if (a instanceof Attr.TypesAttr ts) {
            b.setType(OnnxProto.AttributeProto.AttributeType.TYPE_PROTOS);
            ts.values().forEach(x -> b.addTypeProtos(type(x)));
        }
        return b.build();
    }

    private OnnxProto.TensorProto tensor(Tensor t, String name, String doc, boolean mayBeExternal) throws IOException {
        OnnxProto.TensorProto.Builder b = OnnxProto.TensorProto.newBuilder().setDataType(t.dtype().code());
        for (long d : t.dims()) {
            b.addDims(d);
        }
        if (!name.isEmpty()) {
            b.setName(name);
        }
        if (!doc.isEmpty()) {
            b.setDocString(doc);
        }
        if (t.dtype() == DataType.STRING) {
            t.strings().forEach(s -> b.addStringData(ByteString.copyFrom(s)));
            return b.build();
        }
        ByteBuffer data = t.data();
        if (external != null && mayBeExternal && data.remaining() >= options.externalMinTensorBytes()) {
            long align = options.externalAlignment();
            long start = (externalOffset + align - 1) / align * align;
            long len = data.remaining();
            long pos = start;
            while (data.hasRemaining()) {
                pos += external.write(data, pos);
            }
            externalOffset = start + len;
            b.setDataLocation(OnnxProto.TensorProto.DataLocation.EXTERNAL);
            b.addExternalData(entry("location", externalName));
            b.addExternalData(entry("offset", Long.toString(start)));
            b.addExternalData(entry("length", Long.toString(len)));
            return b.build();
        }
        // wraps the buffer: the bytes are streamed to the file, not copied into the proto
        b.setRawData(UnsafeByteOperations.unsafeWrap(data));
        return b.build();
    }

}
