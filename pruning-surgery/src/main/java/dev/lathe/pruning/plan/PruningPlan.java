package dev.lathe.pruning.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.graph.ChannelSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to remove, as data: for each pruned group, the value whose channels name it (the group's anchor), its
 * channel count, and the removed channel indices of that value. Replaying it on the same model ({@link #resolve})
 * removes exactly the same units.
 */
public record PruningPlan(String format, String criterion, String options, List<GroupCut> groups) {
    public static final String FORMAT = "lathe-pruning-plan/1";

    /** @param anchor name of the value whose channel axis the indices refer to */
    public record GroupCut(String anchor, int channels, int[] removed) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public int removedChannels() {
        return groups.stream().mapToInt(g -> g.removed().length).sum();
    }

    /** Removed units per group index of an analysis of the model the plan was made for. */
    public Map<Integer, BitSet> resolve(ChannelGraph cg) {
        Map<Integer, BitSet> out = new LinkedHashMap<>();
        for (GroupCut c : groups) {
            ChannelSpace s = cg.spaceByOrigin(c.anchor());
            if (s == null) {
                throw new IllegalArgumentException("plan names value " + c.anchor()
                        + ", which carries no channels in this model (was the plan made for another model?)");
            }
            if (s.size() != c.channels()) {
                throw new IllegalArgumentException("plan expects " + c.channels() + " channels on " + c.anchor()
                        + ", the model has " + s.size());
            }
            for (int ch : c.removed()) {
                if (ch < 0 || ch >= s.size()) {
                    throw new IllegalArgumentException("plan removes channel " + ch + " of " + c.anchor()
                            + ", which has " + s.size());
                }
                ChannelGroup g = cg.groupAt(s, ch);
                int u = cg.unitAt(s, ch);
                if (g.isBlocked(u)) {
                    throw new IllegalArgumentException("plan removes channel " + ch + " of " + c.anchor()
                            + ", which cannot be removed: " + g.blockedUnits()[u]);
                }
                out.computeIfAbsent(g.id(), k -> new BitSet()).set(u);
            }
        }
        return out;
    }

    /** The plan naming, for each group with removed units, the removed channels of its anchor. */
    public static PruningPlan of(ChannelGraph cg, Map<Integer, BitSet> removed, String criterion, String options) {
        List<GroupCut> cuts = new java.util.ArrayList<>();
        for (Map.Entry<Integer, BitSet> e : removed.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            ChannelGroup g = cg.groups().get(e.getKey());
            ChannelSpace a = g.anchor();
            int[] unitOf = g.unitOfChannel().get(a);
            java.util.List<Integer> ch = new java.util.ArrayList<>();
            for (int c = 0; c < unitOf.length; c++) {
                if (unitOf[c] >= 0 && e.getValue().get(unitOf[c])) {
                    ch.add(c);
                }
            }
            cuts.add(new GroupCut(a.origin().name(), a.size(), ch.stream().mapToInt(Integer::intValue).toArray()));
        }
        return new PruningPlan(FORMAT, criterion, options, cuts);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PruningPlan fromJson(String json) throws IOException {
        PruningPlan p = JSON.readValue(json, PruningPlan.class);
        if (!FORMAT.equals(p.format())) {
            throw new IOException("not a pruning plan: format is " + p.format() + ", expected " + FORMAT);
        }
        return p;
    }

    /** Writes atomically: a temporary file next to the target, then a rename. */
    public void save(Path file) throws IOException {
        String json = toJson();
        AtomicFiles.write(file, tmp -> Files.writeString(tmp, json));
    }

    public static PruningPlan load(Path file) throws IOException {
        try {
            return fromJson(Files.readString(file));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + ": not a pruning plan: " + e.getOriginalMessage(), e);
        }
    }
}
