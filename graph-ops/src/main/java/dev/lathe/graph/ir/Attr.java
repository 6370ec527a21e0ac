package dev.lathe.graph.ir;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** A node attribute: one record per ONNX attribute kind. */
public sealed interface Attr {

    record FloatAttr(float value) implements Attr {}

    record IntAttr(long value) implements Attr {}

    /** ONNX string attributes are bytes; almost always UTF-8 text such as {@code auto_pad}. */
    record StringAttr(byte[] bytes) implements Attr {
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StringAttr s && Arrays.equals(bytes, s.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return text();
        }
    }

    record TensorAttr(Tensor value) implements Attr {}

    record GraphAttr(Graph value) implements Attr {}

    record FloatsAttr(float[] values) implements Attr {
        @Override
        public boolean equals(Object o) {
            return o instanceof FloatsAttr f && Arrays.equals(values, f.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return Arrays.toString(values);
        }
    }

    record IntsAttr(long[] values) implements Attr {
        @Override
        public boolean equals(Object o) {
            return o instanceof IntsAttr f && Arrays.equals(values, f.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return Arrays.toString(values);
        }
    }

    record StringsAttr(List<byte[]> values) implements Attr {}

    record TensorsAttr(List<Tensor> values) implements Attr {}

    record GraphsAttr(List<Graph> values) implements Attr {}

    record TypeAttr(TensorType value) implements Attr {}

    record TypesAttr(List<TensorType> values) implements Attr {}

    /** Kinds the IR does not model (sparse tensors): the serialized AttributeProto kept verbatim. */
    record OpaqueAttr(byte[] proto) implements Attr {}

    static Attr of(long v) {
        return new IntAttr(v);
    }

    static Attr of(float v) {
        return new FloatAttr(v);
    }

    static Attr of(String v) {
        return new StringAttr(v.getBytes(StandardCharsets.UTF_8));
    }

    static Attr of(long... v) {
        return new IntsAttr(v.clone());
    }

    static Attr of(float... v) {
        return new FloatsAttr(v.clone());
    }

    static Attr of(Tensor t) {
        return new TensorAttr(t);
    }

    static Attr of(Graph g) {
        return new GraphAttr(g);
    }
}
