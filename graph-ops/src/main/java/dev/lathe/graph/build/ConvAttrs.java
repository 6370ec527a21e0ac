package dev.lathe.graph.build;

import dev.lathe.graph.ir.Attr;
import java.util.LinkedHashMap;
import java.util.Map;

/** Attributes of a 2-D Conv (or pooling window): kernel, stride, symmetric padding, dilation and groups. */
public record ConvAttrs(long kernel, long stride, long pad, long dilation, long groups) {

    public static ConvAttrs of(long kernel, long stride, long pad) {
        return new ConvAttrs(kernel, stride, pad, 1, 1);
    }

    /** Stride 1 with "same" padding for an odd kernel. */
    public static ConvAttrs same(long kernel) {
        return new ConvAttrs(kernel, 1, kernel / 2, 1, 1);
    }

    public ConvAttrs withGroups(long g) {
        return new ConvAttrs(kernel, stride, pad, dilation, g);
    }

    public ConvAttrs withDilation(long d) {
        return new ConvAttrs(kernel, stride, pad, d, groups);
    }

    Map<String, Attr> toConv() {
        Map<String, Attr> m = new LinkedHashMap<>();
        m.put("kernel_shape", Attr.of(kernel, kernel));
        m.put("strides", Attr.of(stride, stride));
        m.put("pads", Attr.of(pad, pad, pad, pad));
        m.put("dilations", Attr.of(dilation, dilation));
        m.put("group", Attr.of(groups));
        return m;
    }

    Map<String, Attr> toPool() {
        Map<String, Attr> m = new LinkedHashMap<>();
        m.put("kernel_shape", Attr.of(kernel, kernel));
        m.put("strides", Attr.of(stride, stride));
        m.put("pads", Attr.of(pad, pad, pad, pad));
        return m;
    }
}
