package dev.lathe.converter.ckpt;

import java.util.LinkedHashMap;
import java.util.Map;

/** An {@code argparse.Namespace}: the training script's arguments, attribute name to value. */
public final class Namespace {
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public String toString() {
        return "Namespace" + attributes.keySet();
    }
}
