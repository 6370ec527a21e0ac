package dev.lathe.pruning.graph;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** The result of {@link ChannelAnalyzer#analyze}: channel tracks of values, groups, and the edits a cut makes. */
public final class ChannelGraph {
    private final Model model;
    private final Map<Value, Track> tracks;
    private final List<ChannelGroup> groups;
    private final List<ChannelSpace> spaces;
    private final int[][] channelGroup;
    private final int[][] channelUnit;
    private final List<ConstEdit> edits;
    private final List<ParamSlice> slices;
    /** Types the analysis inferred for untyped values, held aside so that analysing does not edit the model. */
    final Map<Value, TensorType> inferredTypes = new IdentityHashMap<>();

    ChannelGraph(Model model, Map<Value, Track> tracks, List<ChannelGroup> groups, List<ChannelSpace> spaces,
            int[][] channelGroup, int[][] channelUnit, List<ConstEdit> edits, List<ParamSlice> slices) {
        this.model = model;
        this.tracks = tracks;
        this.groups = groups;
        this.spaces = spaces;
        this.channelGroup = channelGroup;
        this.channelUnit = channelUnit;
        this.edits = edits;
        this.slices = slices;
    }

    public Model model() {
        return model;
    }

    /**
     * The analysis leaves the model's types as they were; a cut, which edits the model anyway, first writes the types
     * the analysis inferred (the handlers' static sizes) so the edited model is typed as the analysis saw it.
     */
    public void writeInferredTypes() {
        inferredTypes.forEach(Value::setType);
    }

    /** Values that carry channels, with their axis; values not in the map are left alone by a cut. */
    public Map<Value, Track> tracks() {
        return Collections.unmodifiableMap(tracks);
    }

    public List<ChannelGroup> groups() {
        return groups;
    }

    public List<ChannelSpace> spaces() {
        return Collections.unmodifiableList(spaces);
    }

    /** The group of channel {@code c} of a space. */
    public ChannelGroup groupAt(ChannelSpace s, int c) {
        return groups.get(channelGroup[s.id()][c]);
    }

    /** The unit (within its group) of channel {@code c} of a space. */
    public int unitAt(ChannelSpace s, int c) {
        return channelUnit[s.id()][c];
    }

    public List<ConstEdit> edits() {
        return edits;
    }

    public List<ParamSlice> slices() {
        return slices;
    }

    /** Groups with at least one removable unit. */
    public List<ChannelGroup> prunableGroups() {
        return groups.stream().filter(g -> g.prunableUnitCount() > 0).toList();
    }

    /** The space created on the value of this name, or null. */
    public ChannelSpace spaceByOrigin(String valueName) {
        for (ChannelSpace s : spaces) {
            if (s.origin().name().equals(valueName)) {
                return s;
            }
        }
        return null;
    }

    /** Total channels over all spaces, a measure of the analysis' size. */
    public long channelCount() {
        long n = 0;
        for (ChannelSpace s : spaces) {
            n += s.size();
        }
        return n;
    }
}
