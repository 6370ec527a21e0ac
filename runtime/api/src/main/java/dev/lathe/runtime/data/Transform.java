package dev.lathe.runtime.data;

import java.util.Random;

/** An image-to-image step of a preprocessing pipeline; random steps draw only from the given generator. */
public interface Transform {
    Image apply(Image in, Random rng);
}
