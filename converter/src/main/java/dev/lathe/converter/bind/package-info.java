/**
 * From a read checkpoint to a graph: locating the state_dict inside wrappers ({@code state_dict}, {@code model},
 * {@code net}, torch-pruning {@code full_state_dict}) and prefixes, then binding it to a graph's initializers by name
 * with a report in the style of PyTorch's {@code load_state_dict(strict=True)}. Depends on {@code ckpt} and graph-ops;
 * imported by cli and tests.
 */
package dev.lathe.converter.bind;
