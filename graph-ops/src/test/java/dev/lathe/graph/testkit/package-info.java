/**
 * The shared test kit for "run before and after in ONNX Runtime, compare within a stated tolerance"
 * ({@link dev.lathe.graph.testkit.OrtParity}). Test code only: it ships in graph-ops' test-jar, where ONNX Runtime is a
 * test dependency, and every module's tests may import it; main code never does.
 */
package dev.lathe.graph.testkit;
