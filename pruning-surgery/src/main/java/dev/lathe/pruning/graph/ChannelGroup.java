package dev.lathe.pruning.graph;

import java.util.List;
import java.util.Map;

/**
 * Channel spaces coupled by the graph: cutting a channel of one forces cuts in the others. The group's channels
 * fall into units; a unit is the smallest set of channels (across all the group's spaces) that can go on its own,
 * e.g. one output channel of a conv together with the BatchNorm entry and the next conv's input column that read it,
 * or one position in every group of a grouped conv.
 *
 * @param unitOfChannel for each space, the unit of each of its channels, -1 for channels of other groups (a
 *     Concat output holds channels of several groups)
 * @param unitSizes number of channels (over all spaces) in each unit
 * @param blockedUnits for each unit, why it cannot be removed, or null when it can
 * @param slices the parameter slices indexed by the group's channels
 */
public record ChannelGroup(int id, List<ChannelSpace> spaces, Map<ChannelSpace, int[]> unitOfChannel, int[] unitSizes,
        String[] blockedUnits, List<ParamSlice> slices) {

    public int unitCount() {
        return unitSizes.length;
    }

    public int unitOf(ChannelSpace space, int channel) {
        return unitOfChannel.get(space)[channel];
    }

    public boolean isBlocked(int unit) {
        return blockedUnits[unit] != null;
    }

    public int prunableUnitCount() {
        int n = 0;
        for (String b : blockedUnits) {
            if (b == null) {
                n++;
            }
        }
        return n;
    }

    /** Distinct reasons why units of this group cannot be removed. */
    public List<String> blockReasons() {
        return java.util.Arrays.stream(blockedUnits).filter(java.util.Objects::nonNull).distinct().toList();
    }

    /** The space that names the group in reports and plans: the first one created; it holds every unit. */
    public ChannelSpace anchor() {
        return spaces.get(0);
    }

    @Override
    public String toString() {
        return "group " + id + " (" + anchor() + ", " + spaces.size() + " spaces, " + unitCount() + " units)";
    }
}
