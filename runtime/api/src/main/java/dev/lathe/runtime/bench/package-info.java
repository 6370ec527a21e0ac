/**
 * The inference benchmark harness (trtexec's method: time-based warm-up, minimum iterations and duration,
 * mean/median/percentile host latency, throughput), written against {@link dev.lathe.runtime.Session} so every
 * runtime is measured by the same code. Imports the runtime package; the cli imports this.
 */
package dev.lathe.runtime.bench;
