package dev.lathe.runtime.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.runtime.InferenceException;
import dev.lathe.runtime.TensorSpec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Conversions between ONNX Runtime's Java types and Lathe's. */
public final class OrtTypes {
    private OrtTypes() {}

    static TensorSpec spec(NodeInfo info, String modelName) {
        if (!(info.getInfo() instanceof TensorInfo)) {
            throw new InferenceException(modelName + ": '" + info.getName() + "' is a " + info.getInfo()
                    + ", not a tensor; Lathe sessions take and return tensors only");
        }
        TensorInfo t = (TensorInfo) info.getInfo();
        DataType dtype = dataType(t.onnxType);
        long[] dims = t.getShape();
        String[] names = t.getDimensionNames();
        List<Dim> out = new ArrayList<>(dims.length);
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] >= 0) {
                out.add(Dim.of(dims[i]));
            } else if (names != null && i < names.length && names[i] != null && !names[i].isEmpty()) {
                out.add(Dim.of(names[i]));
            } else {
                out.add(Dim.UNKNOWN);
            }
        }
        return new TensorSpec(info.getName(), dtype, new Shape(out));
    }

    /** ORT's Java enum numbers element types its own way (FLOAT is 10 there); map by name instead. */
    static DataType dataType(TensorInfo.OnnxTensorType t) {
        String name = t.name().substring("ONNX_TENSOR_ELEMENT_DATA_TYPE_".length());
        return name.equals("UNDEFINED") ? DataType.UNDEFINED : DataType.valueOf(name);
    }

    /**
     * An ORT tensor over a direct native-order buffer, without copying: ORT reads (inputs) or writes (pinned
     * outputs) that memory in place. Typed views keep ORT's element-type bookkeeping right; for a direct buffer
     * they alias the same memory.
     */
    public static OnnxTensor wrap(OrtEnvironment env, DataType dtype, ByteBuffer direct, long[] shape) throws OrtException {
        if (dtype == DataType.FLOAT) {
            return OnnxTensor.createTensor(env, direct.asFloatBuffer(), shape);
        } else if (dtype == DataType.DOUBLE) {
            return OnnxTensor.createTensor(env, direct.asDoubleBuffer(), shape);
        } else if (dtype == DataType.INT64) {
            return OnnxTensor.createTensor(env, direct.asLongBuffer(), shape);
        } else if (dtype == DataType.INT32) {
            return OnnxTensor.createTensor(env, direct.asIntBuffer(), shape);
        } else if (dtype == DataType.FLOAT16) {
            return OnnxTensor.createTensor(env, direct.asShortBuffer(), shape, OnnxJavaType.FLOAT16);
        } else if (dtype == DataType.INT8) {
            return OnnxTensor.createTensor(env, direct, shape, OnnxJavaType.INT8);
        } else if (dtype == DataType.UINT8) {
            return OnnxTensor.createTensor(env, direct, shape, OnnxJavaType.UINT8);
        } else if (dtype == DataType.BOOL) {
            return OnnxTensor.createTensor(env, direct, shape, OnnxJavaType.BOOL);
        }
        throw new IllegalArgumentException("no ONNX Runtime tensor for element type " + dtype);
    }
}
