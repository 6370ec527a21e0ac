package dev.lathe.graph.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One operator application. It owns its output values; its inputs are changed only through
 * {@link #replaceInput}, {@link #setInputs} and {@link #detach}, which keep every value's use list right.
 * A null input is an omitted optional input (the empty name in ONNX).
 */
public final class Node {
    private String name;
    private String opType;
    private String domain;
    private String overload = "";
    private String docString = "";
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private final Map<String, Attr> attributes = new LinkedHashMap<>();
    private final Map<String, String> metadataProps = new LinkedHashMap<>();
    Graph graph;

    public Node(String domain, String opType, String name, List<Value> inputs, List<Value> outputs) {
        this.domain = domain == null ? "" : domain;
        this.opType = opType;
        this.name = name == null ? "" : name;
        for (Value v : outputs) {
            if (v.producer != null) {
                throw new IllegalArgumentException("value " + v.name() + " already produced by node "
                        + v.producer.name());
            }
            v.producer = this;
            v.outputIndex = this.outputs.size();
            this.outputs.add(v);
        }
        for (Value v : inputs) {
            appendInput(v);
        }
    }

    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String opType() {
        return opType;
    }

    public void setOpType(String opType) {
        this.opType = opType;
    }

    public String domain() {
        return domain;
    }

    public String overload() {
        return overload;
    }

    public void setOverload(String overload) {
        this.overload = overload == null ? "" : overload;
    }

    public String docString() {
        return docString;
    }

    public void setDocString(String docString) {
        this.docString = docString == null ? "" : docString;
    }

    public Graph graph() {
        return graph;
    }

    public List<Value> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public Value input(int i) {
        return i < inputs.size() ? inputs.get(i) : null;
    }

    public List<Value> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    public Value output(int i) {
        return outputs.get(i);
    }

    public Map<String, Attr> attributes() {
        return attributes;
    }

    public Map<String, String> metadataProps() {
        return metadataProps;
    }

    public Node attr(String key, Attr value) {
        attributes.put(key, value);
        return this;
    }

    public Attr attr(String key) {
        return attributes.get(key);
    }

    public long attrInt(String key, long fallback) {
        Attr a = attributes.get(key);
        if (a == null) {
            return fallback;
        }
        if (a instanceof Attr.IntAttr i) {
            return i.value();
        }
        throw new IllegalStateException(describe() + ": attribute " + key + " is " + a.getClass().getSimpleName()
                + ", expected an int");
    }

    public float attrFloat(String key, float fallback) {
        Attr a = attributes.get(key);
        if (a == null) {
            return fallback;
        }
        if (a instanceof Attr.FloatAttr f) {
            return f.value();
        }
        throw new IllegalStateException(describe() + ": attribute " + key + " is " + a.getClass().getSimpleName()
                + ", expected a float");
    }

    public long[] attrInts(String key, long[] fallback) {
        Attr a = attributes.get(key);
        if (a == null) {
            return fallback;
        }
        if (a instanceof Attr.IntsAttr i) {
            return i.values().clone();
        }
        throw new IllegalStateException(describe() + ": attribute " + key + " is " + a.getClass().getSimpleName()
                + ", expected ints");
    }

    public String attrString(String key, String fallback) {
        Attr a = attributes.get(key);
        if (a == null) {
            return fallback;
        }
        if (a instanceof Attr.StringAttr s) {
            return s.text();
        }
        throw new IllegalStateException(describe() + ": attribute " + key + " is " + a.getClass().getSimpleName()
                + ", expected a string");
    }

    public void appendInput(Value v) {
        inputs.add(v);
        if (v != null) {
            v.uses.add(new Value.Use(this, inputs.size() - 1));
        }
    }

    public void replaceInput(int i, Value v) {
        Value old = inputs.get(i);
        if (old == v) {
            return;
        }
        if (old != null) {
            old.uses.remove(new Value.Use(this, i));
        }
        inputs.set(i, v);
        if (v != null) {
            v.uses.add(new Value.Use(this, i));
        }
    }

    public void setInputs(List<Value> newInputs) {
        dropUses();
        inputs.clear();
        for (Value v : newInputs) {
            appendInput(v);
        }
    }

    /** Adds a new output value produced by this node. */
    public Value appendOutput(Value v) {
        if (v.producer != null) {
            throw new IllegalArgumentException("value " + v.name() + " already has a producer");
        }
        v.producer = this;
        v.outputIndex = outputs.size();
        outputs.add(v);
        return v;
    }

    /** Removes this node's uses of its inputs (before the node is dropped from a graph). */
    void dropUses() {
        for (int i = 0; i < inputs.size(); i++) {
            Value v = inputs.get(i);
            if (v != null) {
                v.uses.remove(new Value.Use(this, i));
            }
        }
    }

    public String describe() {
        return opType + " node '" + name + "'";
    }

    @Override
    public String toString() {
        return describe();
    }
}
