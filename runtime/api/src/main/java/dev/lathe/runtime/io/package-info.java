/** Tensor file formats: NumPy {@code .npy} to and from {@link dev.lathe.runtime.HostTensor}. Imports the runtime package only. */
package dev.lathe.runtime.io;
