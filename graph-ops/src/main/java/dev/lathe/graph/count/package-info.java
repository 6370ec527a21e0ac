/**
 * Parameter and multiply-accumulate (MAC) counting per node and per model, with the conventions the papers and
 * torchvision use: parameters are the float initializers PyTorch would list in {@code model.parameters()} (BatchNorm
 * running statistics are buffers and are excluded); MACs are those of Conv, ConvTranspose, Gemm and MatMul per
 * image (a fixed batch is divided out; symbolic spatial sizes leave MACs unknown, never 0 or 1). Depends on {@code ir} and {@code infer}; any module may import it.
 */
package dev.lathe.graph.count;
