package dev.lathe.runtime.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The deterministic (evaluation) preprocessing of an image classifier, as data: torchvision's
 * {@code Resize(resize) -> CenterCrop(cropHeight, cropWidth) -> ToTensor -> Normalize(mean, std)} on an RGB PIL image,
 * then the model's channel order and layout. It is the one definition shared by the data pipeline (the evaluation
 * split of {@link DataSpec} is built from it), by the metadata a model carries ({@code lathe.preprocessing}, as the
 * JSON of {@link #toJson()}), by {@code lathe infer} and by the server.
 *
 * @param resize the shorter side after resizing (torchvision {@code Resize(int)}), 0 for no resize
 * @param interpolation the resampling filter of the resize
 * @param cropHeight the centre crop's height (the model's input height)
 * @param cropWidth the centre crop's width
 * @param mean per-channel mean in RGB order, on the 0..1 scale
 * @param std per-channel standard deviation in RGB order
 * @param channelOrder {@code RGB} or {@code BGR}: the order of the model's input channels
 * @param layout {@code NCHW} or {@code NHWC}: the model's input layout
 */
public record Preprocessing(int resize, Interpolation interpolation, int cropHeight, int cropWidth, float[] mean,
        float[] std, String channelOrder, String layout) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private static final float[] CIFAR_MEAN = {0.4914f, 0.4822f, 0.4465f};
    private static final float[] CIFAR_STD = {0.2023f, 0.1994f, 0.2010f};

    public Preprocessing {
        if (resize < 0 || resize > 16384) {
            throw new IllegalArgumentException("preprocessing resize must be in [0, 16384], got " + resize);
        }
        if (cropHeight < 1 || cropWidth < 1 || cropHeight > 16384 || cropWidth > 16384) {
            throw new IllegalArgumentException("preprocessing crop must be in [1, 16384], got " + cropHeight + "x"
                    + cropWidth);
        }
        if (interpolation == null) {
            throw new IllegalArgumentException("preprocessing needs an interpolation (bilinear, bicubic)");
        }
        if (mean == null || std == null || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("preprocessing needs 3 means and 3 stds (RGB)");
        }
        for (int c = 0; c < 3; c++) {
            if (!Float.isFinite(mean[c]) || !(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("preprocessing mean must be finite and std positive, got mean "
                        + Arrays.toString(mean) + ", std " + Arrays.toString(std));
            }
        }
        channelOrder = channelOrder == null ? "RGB" : channelOrder.toUpperCase(Locale.ROOT);
        layout = layout == null ? "NCHW" : layout.toUpperCase(Locale.ROOT);
        if (!channelOrder.equals("RGB") && !channelOrder.equals("BGR")) {
            throw new IllegalArgumentException("preprocessing channel_order must be RGB or BGR, got " + channelOrder);
        }
        if (!layout.equals("NCHW") && !layout.equals("NHWC")) {
            throw new IllegalArgumentException("preprocessing layout must be NCHW or NHWC, got " + layout);
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** torchvision's ImageNet evaluation pipeline at resolution r: Resize(r * 256 / 224), CenterCrop(r), bilinear. */
    public static Preprocessing imagenet(int r) {
        return new Preprocessing(r * 256 / 224, Interpolation.BILINEAR, r, r, IMAGENET_MEAN, IMAGENET_STD, "RGB",
                "NCHW");
    }

    /** CIFAR's evaluation pipeline at resolution r (32: no resize; otherwise resize to r first), CIFAR mean/std. */
    public static Preprocessing cifar(int r) {
        return new Preprocessing(r == 32 ? 0 : r, Interpolation.BILINEAR, r, r, CIFAR_MEAN, CIFAR_STD, "RGB", "NCHW");
    }

    /** The image-to-image part (resize, crop) as a data-pipeline transform. */
    public Transform transform() {
        Transform crop = Transforms.centerCrop(cropHeight, cropWidth);
        return resize == 0 ? crop : Transforms.compose(Transforms.resizeShorter(resize, interpolation), crop);
    }

    /** ToTensor + Normalize with this mean and std (RGB order). */
    public Normalize normalize() {
        return new Normalize(mean, std);
    }

    /** The float32 values of one image (resize, crop, normalise, channel order, layout), appended to {@code dst}. */
    public void write(Image image, FloatBuffer dst) {
        Image im = transform().apply(image, new Random(0));
        if (channelOrder.equals("RGB") && layout.equals("NCHW")) {
            normalize().write(im, dst);
            return;
        }
        float[] chw = new float[3 * im.width() * im.height()];
        normalize().write(im, FloatBuffer.wrap(chw));
        int n = im.width() * im.height();
        int[] order = channelOrder.equals("BGR") ? new int[] {2, 1, 0} : new int[] {0, 1, 2};
        if (layout.equals("NCHW")) {
            for (int c = 0; c < 3; c++) {
                dst.put(chw, order[c] * n, n);
            }
        } else {
            for (int p = 0; p < n; p++) {
                for (int c = 0; c < 3; c++) {
                    dst.put(chw[order[c] * n + p]);
                }
            }
        }
    }

    /** The input shape of one image without the batch: [3, H, W] or [H, W, 3]. */
    public long[] imageShape() {
        return layout.equals("NCHW") ? new long[] {3, cropHeight, cropWidth} : new long[] {cropHeight, cropWidth, 3};
    }

    /** {@code {"resize":256,"interpolation":"bilinear","crop":[224,224],"mean":[..],"std":[..],...}}. */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("resize", resize);
        o.put("interpolation", interpolation.name().toLowerCase(Locale.ROOT));
        o.putArray("crop").add(cropHeight).add(cropWidth);
        ArrayNode m = o.putArray("mean");
        ArrayNode s = o.putArray("std");
        for (int c = 0; c < 3; c++) {
            m.add(mean[c]);
            s.add(std[c]);
        }
        o.put("channel_order", channelOrder);
        o.put("layout", layout);
        return o.toString();
    }

    /**
     * Parses {@link #toJson()}'s form, or a preset: {@code imagenet} / {@code imagenet:R} (R = 224 by default),
     * {@code cifar} / {@code cifar:R}. A bad value is an IllegalArgumentException naming the field.
     */
    public static Preprocessing parse(String text) {
        String t = text == null ? "" : text.trim();
        if (!t.startsWith("{")) {
            String[] parts = t.split(":", 2);
            int r;
            try {
                r = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : parts[0].equals("cifar") ? 32 : 224;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("preprocessing preset '" + t + "': resolution is not an integer");
            }
            if (r < 1 || r > 16384) {
                throw new IllegalArgumentException("preprocessing preset '" + t + "': resolution must be in [1, 16384]");
            }
            return switch (parts[0]) {
                case "imagenet" -> imagenet(r);
                case "cifar" -> cifar(r);
                default -> throw new IllegalArgumentException("preprocessing '" + t + "' is neither JSON nor a preset"
                        + " (imagenet[:R], cifar[:R])");
            };
        }
        JsonNode o;
        try {
            o = JSON.readTree(t);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("preprocessing is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode crop = o.get("crop");
        if (crop == null || !crop.isArray() || crop.size() != 2 || !crop.get(0).canConvertToInt()
                || !crop.get(1).canConvertToInt()) {
            throw new IllegalArgumentException("preprocessing field 'crop' must be [height, width]");
        }
        String interp = o.path("interpolation").asText("bilinear").toUpperCase(Locale.ROOT);
        Interpolation in;
        try {
            in = Interpolation.valueOf(interp);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("preprocessing field 'interpolation' must be bilinear or bicubic, got '"
                    + interp.toLowerCase(Locale.ROOT) + "'");
        }
        JsonNode resize = o.path("resize");
        if (!resize.isMissingNode() && !resize.canConvertToInt()) {
            throw new IllegalArgumentException("preprocessing field 'resize' must be an integer");
        }
        return new Preprocessing(resize.asInt(0), in, crop.get(0).asInt(), crop.get(1).asInt(), floats(o, "mean"),
                floats(o, "std"), o.path("channel_order").asText("RGB"), o.path("layout").asText("NCHW"));
    }

    private static float[] floats(JsonNode o, String field) {
        JsonNode a = o.get(field);
        if (a == null || !a.isArray() || a.size() != 3) {
            throw new IllegalArgumentException("preprocessing field '" + field + "' must be 3 numbers (RGB)");
        }
        float[] v = new float[3];
        for (int i = 0; i < 3; i++) {
            if (!a.get(i).isNumber()) {
                throw new IllegalArgumentException("preprocessing field '" + field + "' must be 3 numbers (RGB)");
            }
            v[i] = (float) a.get(i).asDouble();
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && p.toJson().equals(toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return (resize == 0 ? "" : "resize " + resize + " (" + interpolation.name().toLowerCase(Locale.ROOT) + "), ")
                + "center crop " + cropHeight + "x" + cropWidth + ", mean " + Arrays.toString(mean) + ", std "
                + Arrays.toString(std) + ", " + channelOrder + ", " + layout;
    }
}
