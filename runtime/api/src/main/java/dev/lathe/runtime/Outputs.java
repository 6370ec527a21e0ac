package dev.lathe.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The results of one {@link Session#run}: named host tensors, in the order they were requested. Closing it hands
 * the memory back to the session, which may write a later run's results into it; after that every tensor from
 * here throws when used, and so does this object.
 */
public final class Outputs implements AutoCloseable {
    private final Map<String, HostTensor> tensors;
    private final Consumer<Map<String, HostTensor>> onClose;
    private boolean closed;

    /**
     * For runtime implementations.
     * @param onClose called once on close, before the tensors are released, to take their memory back
     */
    public Outputs(Map<String, HostTensor> tensors, Consumer<Map<String, HostTensor>> onClose) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.onClose = onClose;
    }

    public HostTensor get(String name) {
        checkOpen();
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no output named '" + name + "'; this run produced " + names());
        }
        return t;
    }

    public List<String> names() {
        checkOpen();
        return new ArrayList<>(tensors.keySet());
    }

    public int size() {
        checkOpen();
        return tensors.size();
    }

    /** Name to tensor, in output order; the tensors are released with this object. */
    public Map<String, HostTensor> asMap() {
        checkOpen();
        return tensors;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.accept(tensors);
        for (HostTensor t : tensors.values()) {
            t.release("its Outputs");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Outputs already closed; copy() tensors to keep them past close()");
        }
    }
}
