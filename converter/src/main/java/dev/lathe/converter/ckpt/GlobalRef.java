package dev.lathe.converter.ckpt;

/**
 * A reference to a Python global ({@code module.name}) as it sits in the object tree: a class or function the pickle
 * named but did not call. Only a name; it resolves to nothing.
 */
public record GlobalRef(String module, String name) {
    public String qualifiedName() {
        return module + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
