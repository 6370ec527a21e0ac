/**
 * Pruning plans as data: which channels of which group go ({@link dev.lathe.pruning.plan.PruningPlan}, JSON and
 * replayable), how they are chosen from importance scores under a channel ratio or a MACs target ({@link
 * dev.lathe.pruning.plan.Planner}), and parameter and MAC counts of the layers ({@link
 * dev.lathe.pruning.plan.LayerCost}). Imports graph, importance and graph-ops.
 */
package dev.lathe.pruning.plan;
