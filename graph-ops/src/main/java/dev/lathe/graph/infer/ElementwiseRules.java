package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OnnxRules.broadcast;
import static dev.lathe.graph.infer.OnnxRules.broadcastShapes;
import static dev.lathe.graph.infer.OnnxRules.requireSameType;
import static dev.lathe.graph.infer.OnnxRules.requireType;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import java.util.List;

/**
 * Shape rules of element-wise ops: unary maps and activations (the output is the input), numpy-broadcasting
 * arithmetic, comparisons and logic, Where, Cast and Dropout.
 */
final class ElementwiseRules {
    private ElementwiseRules() {}

    static void registerAll() {
        for (String op : List.of("Relu", "Sigmoid", "Tanh", "Exp", "Log", "Erf", "Sqrt", "Reciprocal", "Abs", "Neg",
                "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Softplus", "Softsign", "Identity", "LeakyRelu",
                "Elu", "Selu", "Celu", "HardSigmoid", "HardSwish", "Mish", "Gelu", "Clip", "Softmax", "LogSoftmax",
                "Hardmax", "CumSum", "Trilu")) {
            ShapeInference.register(op, c -> List.of(c.input(0)));
        }
        for (String op : List.of("Add", "Sub", "Mul", "Div", "Min", "Max", "Sum", "Mean", "Mod")) {
            ShapeInference.register(op, OnnxRules::broadcastN);
        }
        ShapeInference.register("Pow", c -> List.of(new TensorType(c.dtype(0), broadcastShapes(c, 0, 1))));
        ShapeInference.register("PRelu", c -> List.of(new TensorType(c.dtype(0), broadcastShapes(c, 0, 1))));
        for (String op : List.of("Less", "Greater", "Equal", "LessOrEqual", "GreaterOrEqual")) {
            ShapeInference.register(op, c -> {
                requireSameType(c, 0, 1);
                return List.of(new TensorType(DataType.BOOL, broadcastShapes(c, 0, 1)));
            });
        }
        for (String op : List.of("And", "Or", "Xor")) {
            ShapeInference.register(op, c -> {
                requireType(c, 0, DataType.BOOL);
                requireType(c, 1, DataType.BOOL);
                return List.of(new TensorType(DataType.BOOL, broadcastShapes(c, 0, 1)));
            });
        }
        ShapeInference.register("Not", c -> {
            requireType(c, 0, DataType.BOOL);
            return List.of(c.input(0));
        });
        ShapeInference.register("IsNaN", c -> List.of(new TensorType(DataType.BOOL, c.input(0).shape())));
        ShapeInference.register("IsInf", c -> List.of(new TensorType(DataType.BOOL, c.input(0).shape())));
        ShapeInference.register("Where", ElementwiseRules::where);
        ShapeInference.register("Cast", c -> List.of(new TensorType(castTarget(c), c.input(0).shape())));
        ShapeInference.register("CastLike", c -> List.of(new TensorType(c.dtype(1), c.input(0).shape())));
        ShapeInference.register("Dropout", c -> List.of(c.input(0), new TensorType(DataType.BOOL,
                c.input(0).shape())));
    }

    private static List<TensorType> where(InferenceContext c) {
        requireType(c, 0, DataType.BOOL);
        requireSameType(c, 1, 2);
        Shape s = broadcastShapes(c, 1, 2);
        Shape cond = c.input(0).shape();
        return List.of(new TensorType(c.dtype(1), s == null || cond == null ? null : broadcast(c, cond, s)));
    }

    private static DataType castTarget(InferenceContext c) {
        long to = c.attrInt("to", -1);
        try {
            return DataType.fromCode((int) to);
        } catch (IllegalArgumentException e) {
            throw c.fail("attribute 'to' = " + to + " is not an ONNX data type");
        }
    }
}
