package dev.lathe.models;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Value;

/** The conventions every zoo model shares: opset, one NCHW float image input, one logits output. */
public final class ModelInputs {
    /** Opset 17: the first with LayerNormalization, which EfficientMod and IIEU need. */
    public static final long OPSET = 17;
    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";
    public static final String BATCH = "N";

    private ModelInputs() {}

    /** The image input {@code [N, 3, R, R]}. */
    public static Value image(GraphBuilder b, ZooConfig c) {
        return b.input(INPUT, DataType.FLOAT, BATCH, 3L, (long) c.resolution(), (long) c.resolution());
    }
}
