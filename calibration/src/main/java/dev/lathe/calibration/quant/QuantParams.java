package dev.lathe.calibration.quant;

import dev.lathe.calibration.method.CalibrationRange;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;

/**
 * Scale and zero point of one quantized tensor, in ONNX's QuantizeLinear form {@code q = saturate(round(x / scale) +
 * zeroPoint)} with round half to even. Per-tensor params hold one scale; per-channel ones one per slice along
 * {@code axis}. Scales are float32, computed in float32 as ONNX Runtime's quantizer does.
 */
public record QuantParams(DataType dtype, float[] scale, int[] zeroPoint, int axis) {
    /** The largest magnitude of a symmetric int8 code (TensorRT and ORT both leave -128 unused). */
    static final int SYMMETRIC_MAX = 127;

    public QuantParams {
        if (dtype != DataType.UINT8 && dtype != DataType.INT8 && dtype != DataType.INT32) {
            throw new IllegalArgumentException("quantized type must be uint8, int8 or int32, got " + dtype);
        }
        if (scale.length == 0 || scale.length != zeroPoint.length) {
            throw new IllegalArgumentException("need one zero point per scale");
        }
    }

    /** uint8 over {@code range} widened to include 0 (ORT's activation default). */
    public static QuantParams uint8(CalibrationRange range) {
        float lo = (float) Math.min(range.min(), 0);
        float hi = (float) Math.max(range.max(), 0);
        float scale = (hi - lo) / 255f;
        if (!(scale >= Float.MIN_NORMAL)) {
            return new QuantParams(DataType.UINT8, new float[] {1f}, new int[] {0}, -1);
        }
        int zp = (int) Math.max(0, Math.min(255, Math.rint(0 - lo / scale)));
        return new QuantParams(DataType.UINT8, new float[] {scale}, new int[] {zp}, -1);
    }

    /** int8 with zero point 0 over [-t, t], t the range's larger magnitude (TensorRT's activations). */
    public static QuantParams int8Symmetric(CalibrationRange range) {
        float t = (float) Math.max(Math.abs(range.min()), Math.abs(range.max()));
        return new QuantParams(DataType.INT8, new float[] {symmetricScale(t)}, new int[] {0}, -1);
    }

    /**
     * Symmetric int8 params of a weight: one scale per slice along {@code axis}, or one for the whole tensor when
     * {@code axis} is -1; each scale is max|w| / 127.
     */
    public static QuantParams weights(Tensor w, int axis) {
        float[] values = w.toFloats();
        int channels = axis < 0 ? 1 : Math.toIntExact(w.dim(axis));
        int inner = 1;
        for (int d = axis + 1; axis >= 0 && d < w.rank(); d++) {
            inner *= Math.toIntExact(w.dim(d));
        }
        float[] amax = new float[channels];
        for (int i = 0; i < values.length; i++) {
            int c = axis < 0 ? 0 : (i / inner) % channels;
            amax[c] = Math.max(amax[c], Math.abs(values[i]));
        }
        float[] scale = new float[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = symmetricScale(amax[c]);
        }
        return new QuantParams(DataType.INT8, scale, new int[channels], axis);
    }

    /** int32 bias params with scale inputScale × weightScale[c] and zero point 0 (ORT's bias quantization). */
    public static QuantParams bias(QuantParams input, QuantParams weight) {
        float[] scale = new float[weight.scale.length];
        for (int c = 0; c < scale.length; c++) {
            scale[c] = input.scale[0] * weight.scale[c];
        }
        return new QuantParams(DataType.INT32, scale, new int[scale.length], weight.axis < 0 ? -1 : 0);
    }

    private static float symmetricScale(float amax) {
        float s = amax / SYMMETRIC_MAX;
        return s >= Float.MIN_NORMAL ? s : 1f;
    }

    public boolean perChannel() {
        return axis >= 0;
    }

    public int qmin() {
        return dtype == DataType.UINT8 ? 0 : dtype == DataType.INT8 ? -128 : Integer.MIN_VALUE;
    }

    public int qmax() {
        return dtype == DataType.UINT8 ? 255 : dtype == DataType.INT8 ? 127 : Integer.MAX_VALUE;
    }

    /** {@code saturate(round_half_even(x / scale[c]) + zeroPoint[c])}, ONNX's QuantizeLinear. */
    public long quantize(float x, int c) {
        double q = Math.rint(x / scale[c]) + zeroPoint[c];
        return (long) Math.max(qmin(), Math.min(qmax(), q));
    }

    /** {@code (q - zeroPoint[c]) * scale[c]}, ONNX's DequantizeLinear. */
    public float dequantize(long q, int c) {
        return (float) (q - zeroPoint[c]) * scale[c];
    }

    /** {@code t} quantized to this type, slice by slice along the axis. */
    public Tensor quantize(Tensor t) {
        float[] x = t.toFloats();
        int channels = scale.length;
        int inner = 1;
        for (int d = axis + 1; axis >= 0 && d < t.rank(); d++) {
            inner *= Math.toIntExact(t.dim(d));
        }
        long[] q = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            q[i] = quantize(x[i], axis < 0 ? 0 : (i / inner) % channels);
        }
        return Tensor.fromLongs(dtype, t.dims(), q);
    }

    /** The scale as an initializer: a scalar, or a vector per channel. */
    public Tensor scaleTensor() {
        return perChannel() ? Tensor.ofFloats(new long[] {scale.length}, scale) : Tensor.ofFloats(new long[0], scale);
    }

    /** The zero point as an initializer of the quantized type, shaped like {@link #scaleTensor}. */
    public Tensor zeroPointTensor() {
        long[] zp = new long[zeroPoint.length];
        for (int i = 0; i < zp.length; i++) {
            zp[i] = zeroPoint[i];
        }
        return Tensor.fromLongs(dtype, perChannel() ? new long[] {zp.length} : new long[0], zp);
    }
}
