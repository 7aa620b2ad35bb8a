/*
 * fuzz_idx.c — libFuzzer harness for the IDX loader (engine/idx.c).
 *
 * The input holds two files: the first two bytes give the length of the
 * image file (big-endian), which follows; the rest is the label file.
 * Either may be gzipped.  A load either gives a data set or an error.
 */
#include "fuzz_file.h"

#include "data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t len = (size_t)data[0] << 8 | data[1];
    data += 2, size -= 2;
    if (len > size)
        len = size;
    const char *images = fuzz_write(0, "train-images-idx3-ubyte", data, len);
    const char *labels = fuzz_write(1, "train-labels-idx1-ubyte", data + len,
                                    size - len);
    if (!images || !labels)
        return 0;
    nn_err err = {{0}};
    nn_data *d = nn_data_load_idx(images, labels, NULL, NULL, 0, &err);
    if (!d && !err.msg[0])
        abort(); /* failed without saying why */
    if (d) {
        int f = nn_data_features(d), n = nn_data_count(d, NN_TRAIN);
        double *X = malloc(((size_t)n * (size_t)f + 1) * sizeof *X);
        if (X && n > 0)
            nn_data_fill(d, NN_TRAIN, NULL, n, X, NULL, 0);
        free(X);
    }
    nn_data_free(d);
    return 0;
}
