package dev.lathe.converter.deploy;

import com.google.protobuf.TextFormat;
import dev.lathe.converter.deploy.proto.ModelConfigProto.DataType;
import dev.lathe.converter.deploy.proto.ModelConfigProto.ModelConfig;
import dev.lathe.converter.deploy.proto.ModelConfigProto.ModelDynamicBatching;
import dev.lathe.converter.deploy.proto.ModelConfigProto.ModelInput;
import dev.lathe.converter.deploy.proto.ModelConfigProto.ModelInstanceGroup;
import dev.lathe.converter.deploy.proto.ModelConfigProto.ModelOptimizationPolicy;
import dev.lathe.converter.deploy.proto.ModelConfigProto.ModelOutput;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Triton {@code config.pbtxt} for an ONNX model, built as Triton's own {@code ModelConfig} message (schema in
 * {@code src/main/proto/triton/model_config.proto}) and printed in protobuf text format, so every field name is one
 * the schema knows. Dims come from the graph: a symbolic leading dimension shared by every input and output is the
 * batch and is folded into {@code max_batch_size}; other symbolic dims are -1.
 */
public final class TritonConfig {
    /** Where the instances run; AUTO leaves the kind out (Triton: GPU when one is present). */
    public enum Kind { AUTO, CPU, GPU }

    /**
     * @param name the model's folder and config name
     * @param maxBatch max_batch_size; -1 chooses: 8 when the batch is symbolic, 0 when it is fixed
     * @param instances instance_group count, 0 to leave Triton's default
     * @param kind the instance kind
     * @param dynamicBatching whether to enable the dynamic batcher
     * @param maxQueueDelayUs the batcher's max_queue_delay_microseconds (0: Triton's default)
     * @param plan whether the model file is a TensorRT plan (platform tensorrt_plan) instead of ONNX
     * @param trtPrecision for ONNX on GPU: the ORT backend's TensorRT accelerator precision (FP32, FP16, INT8), or
     *     null for none
     * @param labelFile the label file name for the first output, or null
     */
    public record Options(String name, int maxBatch, int instances, Kind kind, boolean dynamicBatching,
            long maxQueueDelayUs, boolean plan, String trtPrecision, String labelFile) {}

    private TritonConfig() {}

    public static ModelConfig build(Model model, Options o) {
        List<Value> inputs = model.graph().inputs().stream().filter(v -> !v.isInitializer()).toList();
        List<Value> outputs = model.graph().outputs();
        boolean symbolicBatch = !inputs.isEmpty() && inputs.stream().allMatch(TritonConfig::leadingSymbolic)
                && outputs.stream().allMatch(TritonConfig::leadingSymbolic);
        int maxBatch = o.maxBatch() < 0 ? (symbolicBatch ? 8 : 0) : o.maxBatch();
        if (maxBatch > 0 && !symbolicBatch) {
            Value fixed = inputs.stream().filter(v -> !leadingSymbolic(v)).findFirst()
                    .orElseGet(() -> outputs.stream().filter(v -> !leadingSymbolic(v)).findFirst().orElseThrow());
            throw new PackageException("--max-batch " + maxBatch + " needs a symbolic batch dimension, but '"
                    + fixed.name() + "' has shape " + fixed.shape() + "; pass --max-batch 0 (dims are then the full"
                    + " shape) or export the model with a dynamic batch");
        }
        if (o.dynamicBatching() && maxBatch <= 1) {
            throw new PackageException("--dynamic-batching needs --max-batch > 1 (the model's batch is "
                    + (symbolicBatch ? "symbolic, --max-batch " + maxBatch : "fixed") + ")");
        }
        ModelConfig.Builder c = ModelConfig.newBuilder().setName(o.name())
                .setPlatform(o.plan() ? "tensorrt_plan" : "onnxruntime_onnx")
                .setMaxBatchSize(maxBatch);
        for (Value v : inputs) {
            c.addInput(ModelInput.newBuilder().setName(v.name()).setDataType(dataType(v))
                    .addAllDims(dims(v, maxBatch > 0)));
        }
        for (int i = 0; i < outputs.size(); i++) {
            Value v = outputs.get(i);
            ModelOutput.Builder b = ModelOutput.newBuilder().setName(v.name()).setDataType(dataType(v))
                    .addAllDims(dims(v, maxBatch > 0));
            if (i == 0 && o.labelFile() != null) {
                b.setLabelFilename(o.labelFile());
            }
            c.addOutput(b);
        }
        if (o.instances() > 0 || o.kind() != Kind.AUTO) {
            ModelInstanceGroup.Builder g = ModelInstanceGroup.newBuilder().setCount(Math.max(1, o.instances()));
            if (o.kind() != Kind.AUTO) {
                g.setKind(o.kind() == Kind.CPU ? ModelInstanceGroup.Kind.KIND_CPU : ModelInstanceGroup.Kind.KIND_GPU);
            }
            c.addInstanceGroup(g);
        }
        if (o.dynamicBatching()) {
            ModelDynamicBatching.Builder d = ModelDynamicBatching.newBuilder();
            if (o.maxQueueDelayUs() > 0) {
                d.setMaxQueueDelayMicroseconds(o.maxQueueDelayUs());
            }
            c.setDynamicBatching(d);
        }
        if (o.trtPrecision() != null) {
            if (o.plan()) {
                throw new PackageException("--trt-accelerator is for ONNX models on the ORT backend; a plan is already"
                        + " a TensorRT engine");
            }
            String p = o.trtPrecision().toUpperCase(Locale.ROOT);
            if (!List.of("FP32", "FP16", "INT8").contains(p)) {
                throw new PackageException("--trt-accelerator must be FP32, FP16 or INT8, got '" + o.trtPrecision()
                        + "'");
            }
            c.setOptimization(ModelOptimizationPolicy.newBuilder().setExecutionAccelerators(
                    ModelOptimizationPolicy.ExecutionAccelerators.newBuilder().addGpuExecutionAccelerator(
                            ModelOptimizationPolicy.ExecutionAccelerators.Accelerator.newBuilder()
                                    .setName("tensorrt")
                                    .putParameters("precision_mode", p)
                                    .putParameters("max_workspace_size_bytes", "1073741824")
                                    .putParameters("trt_engine_cache_enable", "1"))));
        }
        return c.build();
    }

    /** The config in protobuf text format, as Triton reads config.pbtxt. */
    public static String print(ModelConfig config) {
        return TextFormat.printer().printToString(config);
    }

    /** Parses a config.pbtxt against the schema; an unknown field or bad value is a PackageException naming it. */
    public static ModelConfig parse(String text, String label) {
        ModelConfig.Builder b = ModelConfig.newBuilder();
        try {
            TextFormat.getParser().merge(text, b);
        } catch (TextFormat.ParseException e) {
            throw new PackageException(label + ": " + e.getMessage(), e);
        }
        return b.build();
    }

    private static boolean leadingSymbolic(Value v) {
        Shape s = v.shape();
        return s != null && s.rank() >= 1 && !s.get(0).isFixed();
    }

    private static List<Long> dims(Value v, boolean batched) {
        Shape s = v.shape();
        if (s == null) {
            throw new PackageException("'" + v.name() + "' has no shape in the model; Triton needs dims (run"
                    + " 'lathe optimize' or export with shapes)");
        }
        List<Long> out = new ArrayList<>();
        for (int i = batched ? 1 : 0; i < s.rank(); i++) {
            Dim d = s.get(i);
            out.add(d instanceof Dim.Fixed f ? f.size() : -1L);
        }
        if (out.isEmpty()) {
            out.add(1L); // Triton needs at least one dim: a per-item scalar is [1]
        }
        return out;
    }

    static DataType dataType(Value v) {
        if (v.type() == null) {
            throw new PackageException("'" + v.name() + "' has no element type in the model");
        }
        return switch (v.type().dtype()) {
            case FLOAT -> DataType.TYPE_FP32;
            case FLOAT16 -> DataType.TYPE_FP16;
            case DOUBLE -> DataType.TYPE_FP64;
            case BFLOAT16 -> DataType.TYPE_BF16;
            case INT8 -> DataType.TYPE_INT8;
            case INT16 -> DataType.TYPE_INT16;
            case INT32 -> DataType.TYPE_INT32;
            case INT64 -> DataType.TYPE_INT64;
            case UINT8 -> DataType.TYPE_UINT8;
            case UINT16 -> DataType.TYPE_UINT16;
            case UINT32 -> DataType.TYPE_UINT32;
            case UINT64 -> DataType.TYPE_UINT64;
            case BOOL -> DataType.TYPE_BOOL;
            case STRING -> DataType.TYPE_STRING;
            default -> throw new PackageException("'" + v.name() + "' has element type " + v.type().dtype()
                    + ", which Triton has no data type for");
        };
    }
}
