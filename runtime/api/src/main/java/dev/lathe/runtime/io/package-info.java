/**
 * Tensor file formats: NumPy {@code .npy} to and from {@link dev.lathe.runtime.HostTensor}; and {@link
 * dev.lathe.runtime.io.ProgressLine}, progress output that redraws on a terminal and prints plain lines elsewhere.
 * Imports the runtime package and graph-ops' files package only.
 */
package dev.lathe.runtime.io;
