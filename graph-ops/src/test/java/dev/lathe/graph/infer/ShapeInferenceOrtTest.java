package dev.lathe.graph.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Inferred output types against what ONNX Runtime actually produces. Each case builds a small graph with the
 * builder (which infers every node), marks the interesting values as graph outputs, runs it with the symbolic
 * batch "N" bound to {@link #BATCH}, and compares every output's element type and shape dimension by dimension:
 * fixed dims must equal, the symbol "N" must be the batch, and no dimension may be left unknown.
 */
class ShapeInferenceOrtTest {
    private static final long BATCH = 2;

    /** Builds the outputs to check from a builder and the graph input x = [N, 4, 9, 9] float. */
    private static void check(String name, long opset, Function<GraphBuilder, List<Value>> body) throws Exception {
        check(name, opset, new long[] {4, 9, 9}, body);
    }

    private static void check(String name, long opset, long[] inputTail,
                              Function<GraphBuilder, List<Value>> body) throws Exception {
        GraphBuilder b = new GraphBuilder(name, opset);
        Object[] dims = new Object[inputTail.length + 1];
        dims[0] = "N";
        for (int i = 0; i < inputTail.length; i++) {
            dims[i + 1] = inputTail[i];
        }
        b.input("x", DataType.FLOAT, dims);
        List<Value> outs = body.apply(b);
        Map<String, Value> byName = new LinkedHashMap<>();
        for (Value v : outs) {
            b.output(v, null);
            byName.put(v.name(), v);
        }
        Model m = b.build();
        long[] inShape = new long[dims.length];
        inShape[0] = BATCH;
        System.arraycopy(inputTail, 0, inShape, 1, inputTail.length);
        float[] data = new float[(int) Tensor.numel(inShape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) Math.sin(i * 0.37) * 3f;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(Onnx.toBytes(m), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), inShape);
             OrtSession.Result r = s.run(Map.of("x", t))) {
            for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
                Value v = byName.get(e.getKey());
                TensorInfo info = (TensorInfo) e.getValue().getInfo();
                String where = name + ": " + v.producer() + " -> " + v;
                assertEquals(javaType(v.dtype()), info.type, where + " element type");
                Shape inferred = v.shape();
                assertTrue(inferred != null, where + " has unknown rank");
                long[] actual = info.getShape();
                assertEquals(actual.length, inferred.rank(), where + " rank; ORT gave " + Arrays.toString(actual));
                for (int i = 0; i < actual.length; i++) {
                    Dim d = inferred.get(i);
                    assertFalse(d instanceof Dim.Unknown, where + " dim " + i + " unknown; ORT gave "
                            + Arrays.toString(actual));
                    long expect = d instanceof Dim.Symbolic ? BATCH : d.size();
                    if (d instanceof Dim.Symbolic sym) {
                        assertEquals("N", sym.name(), where);
                    }
                    assertEquals(actual[i], expect, where + " dim " + i + "; ORT gave " + Arrays.toString(actual));
                }
            }
        }
    }

    private static OnnxJavaType javaType(DataType t) {
        switch (t) {
            case FLOAT:
                return OnnxJavaType.FLOAT;
            case INT64:
                return OnnxJavaType.INT64;
            case INT32:
                return OnnxJavaType.INT32;
            case BOOL:
                return OnnxJavaType.BOOL;
            case UINT8:
                return OnnxJavaType.UINT8;
            case INT8:
                return OnnxJavaType.INT8;
            default:
                throw new IllegalArgumentException(t.toString());
        }
    }

    private static Map<String, Attr> attrs(Object... kv) {
        Map<String, Attr> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Attr) kv[i + 1]);
        }
        return m;
    }

    private static Value w(GraphBuilder b, long... dims) {
        float[] v = new float[(int) Tensor.numel(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 7) * 0.1f - 0.3f;
        }
        return b.constant(Tensor.ofFloats(dims, v));
    }

    private static Value op(GraphBuilder b, String type, Map<String, Attr> a, Value... in) {
        return b.op(type, Arrays.asList(in), a);
    }

    @Test
    void convolutionsAndPools() throws Exception {
        for (long opset : new long[] {13, 17, 21}) {
            check("conv" + opset, opset, b -> {
                Value x = b.graph().inputs().get(0);
                List<Value> o = new ArrayList<>();
                o.add(b.ops().conv(x, w(b, 6, 4, 3, 3), w(b, 6), new ConvAttrs(3, 2, 1, 1, 1)));
                o.add(b.ops().conv(x, w(b, 4, 1, 3, 3), null, new ConvAttrs(3, 1, 0, 2, 4))); // depthwise dilated
                o.add(op(b, "Conv", attrs("auto_pad", Attr.of("SAME_UPPER"), "strides", Attr.of(2L, 2L)), x,
                        w(b, 8, 4, 2, 2)));
                o.add(op(b, "ConvTranspose", attrs("strides", Attr.of(2L, 2L), "pads", Attr.of(1L, 1L, 1L, 1L),
                        "output_padding", Attr.of(1L, 1L)), x, w(b, 4, 3, 3, 3)));
                o.add(op(b, "ConvTranspose", attrs("strides", Attr.of(2L, 2L), "group", Attr.of(2L)), x,
                        w(b, 4, 2, 4, 4)));
                o.add(b.ops().maxPool(x, ConvAttrs.of(3, 2, 1)));
                o.add(op(b, "MaxPool", attrs("kernel_shape", Attr.of(2L, 2L), "strides", Attr.of(2L, 2L),
                        "ceil_mode", Attr.of(1L)), x));
                o.add(op(b, "MaxPool", attrs("kernel_shape", Attr.of(3L, 3L), "strides", Attr.of(2L, 2L),
                        "pads", Attr.of(1L, 1L, 1L, 1L), "ceil_mode", Attr.of(1L)), x));
                o.add(op(b, "AveragePool", attrs("kernel_shape", Attr.of(3L, 3L), "strides", Attr.of(2L, 2L),
                        "ceil_mode", Attr.of(1L), "count_include_pad", Attr.of(0L)), x));
                o.add(op(b, "AveragePool", attrs("kernel_shape", Attr.of(2L, 2L), "strides", Attr.of(3L, 3L),
                        "auto_pad", Attr.of("SAME_LOWER")), x));
                o.add(b.ops().averagePool(x, ConvAttrs.of(3, 1, 1), true));
                o.add(b.ops().globalAveragePool(x));
                o.add(op(b, "GlobalMaxPool", Map.of(), x));
                o.add(b.ops().batchNorm(x, w(b, 4), w(b, 4), w(b, 4), b.constant(ones(4)), 1e-5f));
                o.add(op(b, "DepthToSpace", attrs("blocksize", Attr.of(2L), "mode", Attr.of("CRD")), x));
                return o;
            });
        }
    }

    @Test
    void elementwiseAndComparisons() throws Exception {
        check("elementwise", 17, b -> {
            Value x = b.graph().inputs().get(0);
            List<Value> o = new ArrayList<>();
            Value row = w(b, 9);
            Value col = w(b, 4, 1, 1);
            o.add(b.ops().add(x, row));
            o.add(b.ops().sub(col, x));
            o.add(b.ops().mul(x, b.scalar(2f)));
            o.add(b.ops().div(x, col));
            o.add(b.ops().pow(x, b.scalar(2f)));
            o.add(b.ops().min(x, row, col));
            o.add(b.ops().max(x, b.scalar(0f)));
            Value less = b.ops().less(x, row);
            o.add(less);
            o.add(op(b, "Greater", Map.of(), x, col));
            o.add(op(b, "Equal", Map.of(), x, x));
            o.add(op(b, "Not", Map.of(), less));
            o.add(b.ops().where(less, x, col));
            o.add(op(b, "Cast", attrs("to", Attr.of((long) DataType.INT64.code())), x));
            o.add(b.ops().clip(x, 0f, 6f));
            for (String u : List.of("Relu", "Sigmoid", "Tanh", "Erf", "Softplus", "Exp", "Sqrt", "Reciprocal",
                    "Abs", "Neg")) {
                o.add(op(b, u, Map.of(), x));
            }
            o.add(b.ops().softmax(x, -1));
            o.add(b.ops().logSoftmax(x, 1));
            Value[] drop = b.op("Dropout", List.of(x), Map.of(), 2).toArray(new Value[0]);
            o.add(drop[0]);
            o.add(drop[1]);
            return o;
        });
        check("gelu", 20, b -> List.of(op(b, "Gelu", Map.of(), b.graph().inputs().get(0))));
    }

    @Test
    void matMulGemmAndLayerNorm() throws Exception {
        check("linear", 17, new long[] {3, 8}, b -> {
            Value x = b.graph().inputs().get(0);
            List<Value> o = new ArrayList<>();
            o.add(b.ops().matMul(x, w(b, 8, 5)));
            o.add(b.ops().matMul(x, w(b, 8))); // 1-D right operand
            o.add(b.ops().matMul(w(b, 3), x)); // 1-D left operand
            o.add(b.ops().matMul(w(b, 4, 1, 5, 3), x)); // batch broadcast
            Value flat = b.ops().flatten(x, 1);
            o.add(flat);
            o.add(b.ops().gemm(flat, w(b, 10, 24), w(b, 10), true));
            o.add(op(b, "Gemm", attrs("transA", Attr.of(1L)), w(b, 24, 3), w(b, 24, 6)));
            o.add(b.ops().layerNorm(x, w(b, 8), w(b, 8), -1, 1e-6f));
            o.add(b.ops().layerNorm(x, w(b, 3, 8), w(b, 3, 8), 1, 1e-6f));
            o.add(op(b, "Flatten", attrs("axis", Attr.of(0L)), w(b, 2, 3, 4)));
            // N * 24 has no representation as one Dim: the rank is kept, the size is unknown
            assertEquals(Shape.of(1, null), op(b, "Flatten", attrs("axis", Attr.of(0L)), x).shape());
            return o;
        });
    }

    @Test
    void shapeOpsWithSymbolicBatch() throws Exception {
        for (long opset : new long[] {13, 17, 18}) {
            check("shape" + opset, opset, b -> {
                Value x = b.graph().inputs().get(0);
                List<Value> o = new ArrayList<>();
                // torch's x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape
                Value shape = b.ops().shape(x);
                o.add(shape);
                Value n = b.ops().gather(shape, b.constant(Tensor.ofLongs(new long[0], 0)), 0);
                Value cat = b.ops().concat(0, b.ops().unsqueeze(n, 0), b.constant(-1));
                Value flat = b.ops().reshape(x, cat);
                assertEquals(Shape.of("N", 324), flat.shape());
                o.add(flat);
                o.add(b.ops().reshape(x, 0, 2, -1, 3));
                o.add(b.ops().reshape(x, 0, -1, 9));
                o.add(b.ops().transpose(x, 0, 2, 3, 1));
                o.add(b.ops().concat(1, x, x, b.ops().slice(x, new long[] {1}, new long[] {3}, new long[] {1},
                        new long[] {1})));
                o.addAll(b.ops().split(x, 2, 2, 7));
                o.add(b.ops().slice(x, new long[] {-1, 8}, new long[] {-100, 0}, new long[] {3, 2},
                        new long[] {-2, -3}));
                o.add(b.ops().slice(x, new long[] {0}, new long[] {Long.MAX_VALUE}, new long[] {0},
                        new long[] {1}));
                Value u = b.ops().unsqueeze(x, 0, -1);
                o.add(u);
                o.add(b.ops().squeeze(u, 0, 5));
                o.add(b.ops().tile(x, 1, 2, 1, 3));
                o.add(b.ops().expand(b.ops().globalAveragePool(x), 1, 4, 9, 9));
                Value expandShape = b.ops().concat(0, b.ops().unsqueeze(n, 0), b.constant(4, 2, 9));
                o.add(op(b, "Expand", Map.of(), w(b, 4, 1, 9), expandShape));
                o.add(op(b, "Size", Map.of(), x));
                o.add(op(b, "ConstantOfShape", attrs("value", Attr.of(Tensor.ofLongs(new long[] {1}, 3))),
                        b.constant(2, 3)));
                o.add(b.ops().gather(x, b.constant(Tensor.ofLongs(new long[] {2, 2}, 0, 1, 3, 2)), 1));
                o.add(op(b, "Range", Map.of(), b.constant(Tensor.ofLongs(new long[0], 1)),
                        b.constant(Tensor.ofLongs(new long[0], 10)), b.constant(Tensor.ofLongs(new long[0], 3))));
                o.add(op(b, "Constant", attrs("value_ints", Attr.of(1L, 2L, 3L))));
                o.add(op(b, "Identity", Map.of(), x));
                if (opset >= 15) {
                    o.add(op(b, "Shape", attrs("start", Attr.of(1L), "end", Attr.of(-1L)), x));
                }
                if (opset >= 18) {
                    List<Value> parts = b.op("Split", List.of(x), attrs("axis", Attr.of(3L), "num_outputs",
                            Attr.of(2L)), 2);
                    o.addAll(parts);
                } else {
                    o.addAll(b.op("Split", List.of(x), attrs("axis", Attr.of(1L)), 2));
                }
                return o;
            });
        }
    }

    @Test
    void reductionsResizeAndPad() throws Exception {
        for (long opset : new long[] {13, 17, 18, 21}) {
            check("reduce" + opset, opset, b -> {
                Value x = b.graph().inputs().get(0);
                List<Value> o = new ArrayList<>();
                for (String r : List.of("ReduceMean", "ReduceL2", "ReduceMax")) {
                    if (opset >= 18) {
                        o.add(op(b, r, attrs("keepdims", Attr.of(0L)), x, b.constant(1, -1)));
                        o.add(op(b, r, Map.of(), x, b.constant(new long[] {2})));
                    } else {
                        o.add(op(b, r, attrs("axes", Attr.of(1L, -1L), "keepdims", Attr.of(0L)), x));
                        o.add(op(b, r, attrs("axes", Attr.of(new long[] {2})), x));
                    }
                    o.add(op(b, r, attrs("keepdims", Attr.of(0L)), x)); // all axes
                }
                o.add(b.ops().reduceSum(x, true, 1));
                o.add(op(b, "ReduceSum", attrs("noop_with_empty_axes", Attr.of(1L)), x));
                o.add(op(b, "ArgMax", attrs("axis", Attr.of(1L), "keepdims", Attr.of(0L)), x));
                o.add(op(b, "ArgMax", attrs("axis", Attr.of(-1L)), x));
                Value empty = b.constant(Tensor.ofFloats(new long[] {0}));
                o.add(op(b, "Resize", attrs("mode", Attr.of("nearest")), x, empty,
                        b.constant(Tensor.ofFloats(new long[] {4}, 1f, 1f, 2f, 1.5f))));
                o.add(op(b, "Resize", attrs("mode", Attr.of("cubic"), "coordinate_transformation_mode",
                        Attr.of("align_corners")), x, empty, empty, b.constant(BATCH, 4, 5, 17)));
                o.add(op(b, "Pad", Map.of(), x, b.constant(0, 0, 1, 2, 0, 0, 3, -1)));
                o.add(op(b, "Pad", attrs("mode", Attr.of("reflect")), x, b.constant(0, 0, 2, 2, 0, 0, 2, 2)));
                return o;
            });
        }
    }

    @Test
    void quantizeDequantize() throws Exception {
        check("qdq", 17, b -> {
            Value x = b.graph().inputs().get(0);
            Value q = op(b, "QuantizeLinear", Map.of(), x, b.scalar(0.05f),
                    b.constant(Tensor.of(DataType.INT8, new long[0], java.nio.ByteBuffer.allocate(1))));
            Value qu = op(b, "QuantizeLinear", Map.of(), x, b.scalar(0.05f));
            Value d = op(b, "DequantizeLinear", Map.of(), q, b.scalar(0.05f),
                    b.constant(Tensor.of(DataType.INT8, new long[0], java.nio.ByteBuffer.allocate(1))));
            return List.of(q, qu, d);
        });
    }

    private static Tensor ones(long n) {
        float[] v = new float[(int) n];
        Arrays.fill(v, 1f);
        return Tensor.ofFloats(new long[] {n}, v);
    }

    @Test
    void reshapeKeepsSymbolicBatchThroughTorchStyleChain() {
        GraphBuilder b = new GraphBuilder("chain", 13);
        Value x = b.input("x", DataType.FLOAT, "batch", 2048, 1, 1);
        Value shape = b.ops().shape(x);
        Value n = b.ops().gather(shape, b.constant(Tensor.ofLongs(new long[0], 0)), 0);
        Value target = b.ops().concat(0, b.ops().unsqueeze(n, 0), b.constant(-1));
        assertEquals("[batch, -1]", ShapeValue.of(target).toString());
        assertEquals(Shape.of("batch", 2048), b.ops().reshape(x, target).shape());
        Value cast = op(b, "Cast", attrs("to", Attr.of((long) DataType.INT64.code())), target);
        assertEquals(Shape.of("batch", 2048), b.ops().reshape(x, cast).shape());
    }

    @Test
    void failuresNameTheNode() {
        GraphBuilder b = new GraphBuilder("bad", 17);
        Value x = b.input("x", DataType.FLOAT, "N", 4, 9, 9);
        ShapeInferenceException e = org.junit.jupiter.api.Assertions.assertThrows(ShapeInferenceException.class,
                () -> { try (var s = b.scope("layer1")) {
                    b.ops().conv(x, w(b, 6, 3, 3, 3), null, ConvAttrs.same(3));
                } });
        assertTrue(e.getMessage().contains("Conv node 'layer1/Conv'"), e.getMessage());
        assertTrue(e.getMessage().contains("4 channels"), e.getMessage());

        e = org.junit.jupiter.api.Assertions.assertThrows(ShapeInferenceException.class,
                () -> b.ops().add(x, w(b, 5)));
        assertTrue(e.getMessage().startsWith("Add node 'Add'"), e.getMessage());
        assertTrue(e.getMessage().contains("do not broadcast"), e.getMessage());

        e = org.junit.jupiter.api.Assertions.assertThrows(ShapeInferenceException.class,
                () -> b.ops().reshape(x, 0, -1, 7)); // 324 elements per sample
        assertTrue(e.getMessage().startsWith("Reshape node"), e.getMessage());

        e = org.junit.jupiter.api.Assertions.assertThrows(ShapeInferenceException.class,
                () -> b.ops().matMul(x, w(b, 8, 2)));
        assertTrue(e.getMessage().startsWith("MatMul node"), e.getMessage());
        assertTrue(e.getMessage().contains("inner dimensions"), e.getMessage());

        e = org.junit.jupiter.api.Assertions.assertThrows(ShapeInferenceException.class,
                () -> b.op("NoSuchOp", List.of(x), new HashMap<>()));
        assertTrue(e.getMessage().contains("NoSuchOp node 'NoSuchOp'"), e.getMessage());
    }
}
