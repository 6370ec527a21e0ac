package dev.lathe.graph.ir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An ONNX model: the main graph plus model-level metadata and operator set imports. */
public final class Model {
    public static final long DEFAULT_IR_VERSION = 10;
    public static final long DEFAULT_OPSET = 17;

    private long irVersion = DEFAULT_IR_VERSION;
    private String producerName = "lathe";
    private String producerVersion = "";
    private String domain = "";
    private long modelVersion;
    private String docString = "";
    private Graph graph;
    private final Map<String, Long> opsetImports = new LinkedHashMap<>();
    private final Map<String, String> metadataProps = new LinkedHashMap<>();
    /** Model-local functions and training info are not modelled; their serialized protos are kept verbatim. */
    private final List<byte[]> opaqueFunctions = new ArrayList<>();
    private final List<byte[]> opaqueTrainingInfo = new ArrayList<>();

    public Model(Graph graph) {
        this.graph = graph;
        opsetImports.put("", DEFAULT_OPSET);
    }

    /**
     * A deep copy of the graph (nodes, values, attributes, subgraphs) with the model's metadata; tensor data is
     * immutable and shared, so copying a 100 MB model costs its node count, not its bytes. Editing the copy never
     * changes this model.
     */
    public Model copy() {
        Model m = new Model(graph.copy(new java.util.IdentityHashMap<>()));
        m.irVersion = irVersion;
        m.producerName = producerName;
        m.producerVersion = producerVersion;
        m.domain = domain;
        m.modelVersion = modelVersion;
        m.docString = docString;
        m.opsetImports.clear();
        m.opsetImports.putAll(opsetImports);
        m.metadataProps.putAll(metadataProps);
        m.opaqueFunctions.addAll(opaqueFunctions);
        m.opaqueTrainingInfo.addAll(opaqueTrainingInfo);
        return m;
    }

    public Graph graph() {
        return graph;
    }

    public void setGraph(Graph graph) {
        this.graph = graph;
    }

    public long irVersion() {
        return irVersion;
    }

    public void setIrVersion(long v) {
        this.irVersion = v;
    }

    public String producerName() {
        return producerName;
    }

    public void setProducerName(String s) {
        this.producerName = s == null ? "" : s;
    }

    public String producerVersion() {
        return producerVersion;
    }

    public void setProducerVersion(String s) {
        this.producerVersion = s == null ? "" : s;
    }

    public String domain() {
        return domain;
    }

    public void setDomain(String s) {
        this.domain = s == null ? "" : s;
    }

    public long modelVersion() {
        return modelVersion;
    }

    public void setModelVersion(long v) {
        this.modelVersion = v;
    }

    public String docString() {
        return docString;
    }

    public void setDocString(String s) {
        this.docString = s == null ? "" : s;
    }

    /** Domain ("" for ai.onnx) to opset version. */
    public Map<String, Long> opsetImports() {
        return opsetImports;
    }

    /** The ai.onnx opset version. */
    public long opset() {
        Long v = opsetImports.get("");
        if (v == null) {
            v = opsetImports.get("ai.onnx");
        }
        return v == null ? DEFAULT_OPSET : v;
    }

    public Map<String, String> metadataProps() {
        return metadataProps;
    }

    public List<byte[]> opaqueFunctions() {
        return opaqueFunctions;
    }

    public List<byte[]> opaqueTrainingInfo() {
        return opaqueTrainingInfo;
    }
}
