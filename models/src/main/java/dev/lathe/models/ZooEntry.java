package dev.lathe.models;

import dev.lathe.graph.ir.Model;
import java.util.function.Function;

/**
 * One registered model: its zoo name, the paper (or library) it comes from, the configuration it is published at,
 * and the function that builds it for any configuration.
 */
public record ZooEntry(String name, String paper, ZooConfig defaults, Function<ZooConfig, Model> builder) {

    public Model build() {
        return builder.apply(defaults);
    }

    public Model build(ZooConfig config) {
        return builder.apply(config);
    }
}
