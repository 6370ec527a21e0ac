package dev.lathe.graph.ir;

/** One dimension of a shape: a known size, a named symbol (the batch "N"), or unknown. */
public sealed interface Dim {

    record Fixed(long size) implements Dim {
        public Fixed {
            if (size < 0) {
                throw new IllegalArgumentException("dimension size must be >= 0, got " + size);
            }
        }

        @Override
        public String toString() {
            return Long.toString(size);
        }
    }

    record Symbolic(String name) implements Dim {
        @Override
        public String toString() {
            return name;
        }
    }

    record Unknown() implements Dim {
        @Override
        public String toString() {
            return "?";
        }
    }

    Dim UNKNOWN = new Unknown();

    static Dim of(long size) {
        return new Fixed(size);
    }

    static Dim of(String name) {
        return new Symbolic(name);
    }

    default boolean isFixed() {
        return this instanceof Fixed;
    }

    /** The size of a fixed dimension; throws for symbolic or unknown ones. */
    default long size() {
        if (this instanceof Fixed f) {
            return f.size();
        }
        throw new IllegalStateException("dimension " + this + " has no fixed size");
    }
}
