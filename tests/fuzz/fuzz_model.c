/*
 * fuzz_model.c — libFuzzer harness for model files (engine/model.c).
 *
 * A load either gives a network (which then runs a forward pass) or an
 * error message, and a failed load leaves the trainer as it was.
 */
#include "fuzz_file.h"

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write(0, "fuzz.model", data, size);
    if (!path)
        return 0;
    nn_err err = {{0}};
    nn_trainer tr, before;
    nn_trainer_init(&tr);
    before = tr;
    nn_net *net = nn_model_load(path, &tr, &err);
    if (!net && (!err.msg[0] || memcmp(&tr, &before, sizeof tr)))
        abort(); /* no reason given, or the trainer changed */
    if (net) {
        double *X = calloc(2 * (size_t)net->n_in, sizeof *X);
        if (X)
            nn_net_forward(net, X, 2, 0, NULL);
        free(X);
        nn_net_free(net);
    }
    nn_trainer_free(&tr);
    return 0;
}
