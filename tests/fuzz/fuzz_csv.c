/*
 * fuzz_csv.c — libFuzzer harness for the CSV loader (engine/csv.c).
 *
 * The first byte chooses the label column and the header mode, the rest
 * is the file (plain, or gzip: zlib reads both).  A load either gives a
 * data set or an error message.
 */
#include "fuzz_file.h"

#include "data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int labels[] = {NN_LABEL_LAST, NN_LABEL_FIRST,
                                 NN_LABEL_NONE, 0, 1, 2, 5, 100000};
    if (size < 1)
        return 0;
    const char *path = fuzz_write(0, "fuzz.csv", data + 1, size - 1);
    if (!path)
        return 0;
    nn_err err = {{0}};
    nn_data *d = nn_data_load_csv(path, labels[data[0] & 7],
                                  (nn_header)((data[0] >> 3) % 3), 1, &err);
    if (!d && !err.msg[0])
        abort(); /* failed without saying why */
    if (d) {
        nn_data_normalize(d, 1);
        int f = nn_data_features(d), n = nn_data_count(d, NN_TRAIN);
        double *X = malloc(((size_t)n * (size_t)f + 1) * sizeof *X);
        if (X && n > 0)
            nn_data_fill(d, NN_TRAIN, NULL, n, X, NULL, 0);
        free(X);
    }
    nn_data_free(d);
    return 0;
}
