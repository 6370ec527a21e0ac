/** The IR: Model, Graph, Node, Value (with producer and use lists), Tensor, types and attributes. Imports nothing else of Lathe. */
package dev.lathe.graph.ir;
