/*
 * rng.h — a seeded random generator with independent streams.
 *
 * nnlab draws initial weights, the epoch shuffle and dropout masks from
 * separate streams derived from one seed, so switching dropout on does not
 * change the initial weights, and the same seed and commands give the same
 * numbers.  The generator is xoshiro256** seeded through splitmix64.
 */
#ifndef NN_RNG_H
#define NN_RNG_H

#include <stdint.h>

typedef struct nn_rng {
    uint64_t s[4];
    double spare; /* the second normal of a Box-Muller pair */
    int has_spare;
} nn_rng;

enum { NN_STREAM_INIT = 1, NN_STREAM_SHUFFLE = 2, NN_STREAM_DROPOUT = 3,
       NN_STREAM_SEARCH = 4, NN_STREAM_DATA = 5, NN_STREAM_SPLIT = 6,
       NN_STREAM_AUGMENT = 7 };

/* Seed a generator for (seed, stream, sub): sub distinguishes, e.g., the
 * layers of a network within the init stream. */
void nn_rng_seed(nn_rng *r, uint64_t seed, uint64_t stream, uint64_t sub);
uint64_t nn_rng_u64(nn_rng *r);
double nn_rng_uniform(nn_rng *r);            /* [0, 1) */
double nn_rng_normal(nn_rng *r);             /* mean 0, std 1 */
void nn_rng_shuffle(nn_rng *r, int *a, int n);

#endif
