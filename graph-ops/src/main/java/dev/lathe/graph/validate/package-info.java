/**
 * Model validation: well-formedness of the graph (definition before use, unique names, produced outputs, opset
 * imports, consistent use lists) plus a full type check through {@link dev.lathe.graph.infer.ShapeInference}.
 * Depends on {@code ir} and {@code infer}; any module may import it (passes run it as a postcondition).
 */
package dev.lathe.graph.validate;
