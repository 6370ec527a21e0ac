/** Loading and saving .onnx files (incl. external data). The only package that imports the generated protobuf classes. */
package dev.lathe.graph.serde;
