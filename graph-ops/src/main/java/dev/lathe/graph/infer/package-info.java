/** Type and shape inference rules per op; used by the builder on every node and by validation. */
package dev.lathe.graph.infer;
