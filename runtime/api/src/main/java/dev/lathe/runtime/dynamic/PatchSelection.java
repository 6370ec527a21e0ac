package dev.lathe.runtime.dynamic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * AnchorNet's localisation ({@code make_table.py} / {@code utils.py}): the class activation map of the arg-max class
 * orders the cells of the last feature map, and a greedy IoU selection turns the best cells into patches.
 * Cell (r, c) of a G x G map is the box rows {@code [stride r, stride r + patch - 1]}, columns likewise (the net has
 * no padding, so each cell sees exactly that input patch).
 */
public final class PatchSelection {
    private PatchSelection() {}

    /** A patch: top-left and bottom-right pixel, both inclusive, as the authors' {@code bbox} tuples. */
    public record Box(int row0, int col0, int row1, int col1) {
        /**
         * The authors' {@code IOU}: widths are {@code x1 - x0} (no +1) on both boxes, so two 95-pixel boxes have
         * "area" 94 x 94; kept as written because the thresholds were tuned with it.
         */
        public double iou(Box o) {
            int w1 = row1 - row0;
            int h1 = col1 - col0;
            int w2 = o.row1 - o.row0;
            int h2 = o.col1 - o.col0;
            int width = w1 + w2 - (Math.max(row0 + w1, o.row0 + w2) - Math.min(row0, o.row0));
            int height = h1 + h2 - (Math.max(col0 + h1, o.col0 + h2) - Math.min(col0, o.col0));
            if (width <= 0 || height <= 0) {
                return 0;
            }
            long area = (long) width * height;
            return area * 1.0 / ((long) w1 * h1 + (long) w2 * h2 - area);
        }
    }

    /**
     * {@code cam[i, j] = mean over channels of features[c, i, j] * weight[c]}: no bias, no ReLU. The sum runs in
     * double and is rounded once to float (PyTorch's float32 mean differs in the last bits only).
     */
    public static float[] cam(float[] features, int offset, int channels, int cells, float[] weight, int weightOffset) {
        float[] cam = new float[cells];
        double[] acc = new double[cells];
        for (int c = 0; c < channels; c++) {
            float w = weight[weightOffset + c];
            int base = offset + c * cells;
            for (int i = 0; i < cells; i++) {
                acc[i] += features[base + i] * w; // float product, as PyTorch's elementwise multiply
            }
        }
        for (int i = 0; i < cells; i++) {
            cam[i] = (float) (acc[i] / channels);
        }
        return cam;
    }

    /**
     * Greedy selection of up to {@code k} boxes: cells in descending CAM order (ties by flat index); a cell is taken
     * when its box's IoU with every box already taken is at most {@code iou[taken - 1]}. With {@code flatIndexZeroQuirk}
     * the cell whose flat index is 0 (the top-left cell) is taken unconditionally whenever the walk reaches it: the
     * authors' loop tests {@code if i == 0} on the index, meaning "first iteration" (which needs no test, the first
     * candidate is always free). Returns fewer than k boxes when the thresholds leave no room.
     */
    public static List<Box> select(float[] cam, int grid, int patch, int stride, int k, double[] iou,
            boolean flatIndexZeroQuirk) {
        Integer[] order = new Integer[cam.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> cam[a] != cam[b] ? Float.compare(cam[b], cam[a]) : Integer.compare(a, b));
        List<Box> taken = new ArrayList<>(k);
        for (int idx : order) {
            int r = idx / grid;
            int c = idx % grid;
            Box box = new Box(stride * r, stride * c, stride * r + patch - 1, stride * c + patch - 1);
            boolean ok = true;
            if (!(flatIndexZeroQuirk && idx == 0)) {
                for (Box b : taken) {
                    if (b.iou(box) > iou[Math.floorMod(taken.size() - 1, iou.length)]) {
                        ok = false;
                        break;
                    }
                }
            }
            if (ok) {
                taken.add(box);
                if (taken.size() == k) {
                    break;
                }
            }
        }
        return taken;
    }
}
