package dev.lathe.graph.pass;

/** Ready-made pipelines for the CLI, the trainer's export and the converter. */
public final class Passes {
    private Passes() {}

    /**
     * Cleanup of an exported model for inference: sort, fold shape subgraphs and Constant nodes, fold
     * BatchNormalization into the preceding Conv, remove Identity nodes, drop dead nodes and initializers. The sort
     * comes first because every later pass keeps a sorted graph sorted and the well-formedness check after each pass
     * expects one; the list repeats until a round changes nothing (at most 8 rounds), since removing one Identity
     * can make a Conv+BN pair or a shape chain foldable.
     *
     * <p>The model must be in inference form: BatchNormalization in training mode is left alone (see
     * {@link ConvBatchNormFolding#rejections()}).
     */
    public static PassRunner inferenceCleanup() {
        return PassRunner.of("inferenceCleanup", new TopologicalSort(), new ConstantFolding(),
                new ConvBatchNormFolding(), new IdentityRemoval(), new DeadCodeElimination())
                .toFixedPoint(8).checkingWellFormed();
    }

    /**
     * What channel analysis needs of an export, and nothing that changes its layers: sort, fold shape subgraphs and
     * Constant nodes, remove Identity nodes (torch.onnx de-duplicates equal constants, such as the zero biases of
     * convs with folded default BatchNorms, and hands them to the second user through an Identity, which made those
     * convs look like they had computed weights), drop dead nodes. BatchNormalization stays: handlers and the
     * BN-scale criterion read it.
     */
    public static PassRunner forPruning() {
        return PassRunner.of("forPruning", new TopologicalSort(), new ConstantFolding(), new IdentityRemoval(),
                new DeadCodeElimination()).toFixedPoint(8).checkingWellFormed();
    }
}
