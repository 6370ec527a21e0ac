package dev.lathe.models;

/** Parameters and multiply-accumulates (batch 1) of a zoo model at its published configuration. */
public record ZooCount(long params, long macs) {}
