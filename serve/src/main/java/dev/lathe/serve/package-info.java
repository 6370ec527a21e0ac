/**
 * Serving: {@link dev.lathe.serve.ImageModel} (a bundle or model with its preprocessing and labels, shared with
 * {@code lathe infer}) and the Open Inference Protocol (KServe v2) REST server on Jetty with server-side dynamic
 * batching and Prometheus metrics. Imports graph-ops, runtime-api and converter; runtimes are found by name.
 */
package dev.lathe.serve;
