package dev.lathe.graph.ir;

/** Element type and shape of a tensor value; {@code shape} is null when even the rank is unknown. */
public record TensorType(DataType dtype, Shape shape) {

    public static TensorType of(DataType dtype, long... dims) {
        return new TensorType(dtype, Shape.of(dims));
    }

    public int rank() {
        if (shape == null) {
            throw new IllegalStateException("rank of " + dtype + " tensor is unknown");
        }
        return shape.rank();
    }

    @Override
    public String toString() {
        return dtype.name().toLowerCase() + (shape == null ? "[?]" : shape.toString());
    }
}
