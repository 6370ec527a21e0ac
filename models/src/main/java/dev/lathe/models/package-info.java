/**
 * The model zoo: vision models authored with the graph-ops builder DSL, parameter names equal to the papers' and
 * torchvision's {@code state_dict} keys so released checkpoints bind by name. {@link dev.lathe.models.ModelZoo} is the
 * registry; one subpackage per family. Depends only on graph-ops; the cli and tests modules may import it.
 */
package dev.lathe.models;
