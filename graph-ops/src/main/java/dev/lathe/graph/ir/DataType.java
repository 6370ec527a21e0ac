package dev.lathe.graph.ir;

/** ONNX tensor element types, carrying the integer codes of {@code TensorProto.DataType}. */
public enum DataType {
    UNDEFINED(0, 0),
    FLOAT(1, 32),
    UINT8(2, 8),
    INT8(3, 8),
    UINT16(4, 16),
    INT16(5, 16),
    INT32(6, 32),
    INT64(7, 64),
    STRING(8, 0),
    BOOL(9, 8),
    FLOAT16(10, 16),
    DOUBLE(11, 64),
    UINT32(12, 32),
    UINT64(13, 64),
    COMPLEX64(14, 64),
    COMPLEX128(15, 128),
    BFLOAT16(16, 16),
    FLOAT8E4M3FN(17, 8),
    FLOAT8E4M3FNUZ(18, 8),
    FLOAT8E5M2(19, 8),
    FLOAT8E5M2FNUZ(20, 8),
    UINT4(21, 4),
    INT4(22, 4),
    FLOAT4E2M1(23, 4);

    private final int code;
    private final int bits;

    DataType(int code, int bits) {
        this.code = code;
        this.bits = bits;
    }

    /** The ONNX integer code. */
    public int code() {
        return code;
    }

    /** Bits per element; 0 for STRING and UNDEFINED. */
    public int bits() {
        return bits;
    }

    /** Bytes needed for {@code count} packed elements (4-bit types pack two per byte). */
    public long byteSize(long count) {
        return (count * bits + 7) / 8;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT || this == DOUBLE || this == FLOAT16 || this == BFLOAT16
                || (code >= 17 && code <= 20) || this == FLOAT4E2M1;
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32, UINT64, UINT4, INT4 -> true;
            default -> false;
        };
    }

    public static DataType fromCode(int code) {
        for (DataType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown ONNX data type code " + code);
    }
}
