/**
 * The ISP pipeline's stages over one run folder (predictor, selector, stored parameters and gate search, keep-mask
 * cut, fine-tuning), called by {@code lathe isp ...}; uses models (the graphs), pruning-surgery (plan and cut) and the
 * ORT trainer.
 */
package dev.lathe.cli.isp;
