/* rng.c — xoshiro256** with splitmix64 seeding (see rng.h). */
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void nn_rng_seed(nn_rng *r, uint64_t seed, uint64_t stream, uint64_t sub)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL) ^
                 (sub * 0x8cb92ba72f3d8dd7ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare = 0;
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t nn_rng_u64(nn_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double nn_rng_uniform(nn_rng *r)
{
    return (double)(nn_rng_u64(r) >> 11) * 0x1.0p-53;
}

double nn_rng_normal(nn_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, q;
    do { /* Marsaglia's polar method: no trig, exact tails */
        u = 2 * nn_rng_uniform(r) - 1;
        v = 2 * nn_rng_uniform(r) - 1;
        q = u * u + v * v;
    } while (q >= 1 || q == 0);
    double f = sqrt(-2 * log(q) / q);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}

/* 0 .. n-1 without modulo bias: the top sliver of 2^64 that would favour
 * small values is drawn again. */
static int below(nn_rng *r, int n)
{
    uint64_t un = (uint64_t)n, limit = UINT64_MAX - UINT64_MAX % un, x;
    do
        x = nn_rng_u64(r);
    while (x >= limit);
    return (int)(x % un);
}

void nn_rng_shuffle(nn_rng *r, int *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = below(r, i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
