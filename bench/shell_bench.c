/*
 * shell_bench.c — what the shell's training loop costs on top of the
 * engine's step: the same training through `train K iters` (the command
 * as a script runs it: cmd_run_line, the job run slice by slice, the
 * trainer with its history, statistics, dev measurements and progress
 * lines) and through the engine's bare step (forward, cost, backward,
 * Adam: bench.c's step), in the same process and interleaved, so both
 * see the same machine.
 *
 *   shell_bench [-t THREADS] [-q] [-k BLOCK] digits|fmnist
 *
 *   digits  data digits, normalize on, 64-64-32-10, Adam, batch 64
 *   fmnist  data fashion, normalize on, 784-256-128-10, Adam, batch 128
 *           (Debian's dataset-fashion-mnist)
 *   -k N    updates per block (default: digits 200, ten epochs;
 *           fmnist one epoch, 391)
 *   -q      two rounds, blocks of at most one epoch (a smoke test)
 *
 * Output, one machine-readable line (bench/run.sh makes the text):
 *
 *   shell digits engine 69.10 shell 73.00 us/update overhead 5.6 %
 *         rounds 25 block 200
 *
 * A round times a block of K engine steps, then `train K iters every=K`;
 * a block spans whole epochs, so it pays its share of the epochs' ends,
 * and one progress line, as `train 2000 iters` prints one every 200.  The
 * two blocks of a round run within milliseconds of each other, so the
 * overhead is the median over rounds of each round's ratio, which other
 * work on this shared machine disturbs far less than the two sides'
 * times (their medians are printed too).  The engine side trains its own
 * network of the same shape on batches of the same normalized training
 * data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "commands.h"
#include "model.h"
#include "nnlab.h"
#include "session.h"

typedef struct workload {
    const char *name;
    const char *setup;   /* shell commands that load data and build the net */
    int sizes[4];
    int batch;
    int epochs;          /* epochs per block */
    int rounds;
} workload;

static const workload workloads[] = {
    { "digits",
      "data digits; normalize on; net 64 64 32 10; optim adam lr=0.001; "
      "batch 64",
      { 64, 64, 32, 10 }, 64, 10, 25 },
    { "fmnist",
      "data fashion; normalize on; net 784 256 128 10; optim adam lr=0.001; "
      "batch 128",
      { 784, 256, 128, 10 }, 128, 1, 3 },
};
enum { N_WORKLOADS = sizeof workloads / sizeof *workloads, N_BATCHES = 4,
       MAX_ROUNDS = 32 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void die(const char *what)
{
    fprintf(stderr, "shell_bench: %s\n", what);
    exit(1);
}

/* The engine's side: bench.c's step on batches of the session's data. */
typedef struct engine {
    nn_net *net;
    nn_optim opt;
    double *X[N_BATCHES], *Y[N_BATCHES];
    int batch, next;
} engine;

static void engine_init(engine *e, const workload *w, const nn_data *data)
{
    nn_err err;
    int in = w->sizes[0], out = w->sizes[3];
    e->net = nn_net_new(w->sizes, 4, NN_ACT_RELU, 0, NN_ACT_SOFTMAX, 0,
                        NN_LOSS_XENT, &err);
    if (!e->net || nn_net_reserve(e->net, w->batch, &err))
        die(err.msg);
    nn_net_init(e->net, 1, 0);
    nn_optim_defaults(&e->opt);
    e->opt.kind = NN_OPT_ADAM;
    e->opt.lr = 1e-3;
    e->batch = w->batch;
    e->next = 0;
    int rows[1024];
    for (int k = 0; k < N_BATCHES; k++) {
        e->X[k] = malloc((size_t)w->batch * in * sizeof(double));
        e->Y[k] = malloc((size_t)w->batch * out * sizeof(double));
        if (!e->X[k] || !e->Y[k])
            die("out of memory");
        for (int i = 0; i < w->batch; i++)
            rows[i] = k * w->batch + i;
        nn_data_fill(data, NN_TRAIN, rows, w->batch, e->X[k], e->Y[k], out);
    }
}

static volatile double sink;

static void engine_steps(engine *e, long k)
{
    for (long i = 0; i < k; i++) {
        const double *X = e->X[e->next], *Y = e->Y[e->next];
        e->next = (e->next + 1) % N_BATCHES;
        nn_net_forward(e->net, X, e->batch, 1, NULL);
        sink = nn_net_cost(e->net, Y, 1);
        nn_net_backward(e->net, X, Y);
        nn_optim_step(&e->opt, e->net, e->opt.lr);
    }
}

static void engine_free(engine *e)
{
    nn_net_free(e->net);
    for (int k = 0; k < N_BATCHES; k++) {
        free(e->X[k]);
        free(e->Y[k]);
    }
}

static void run(const workload *w, int threads, int quick, long block)
{
    Session *s = session_new();
    if (!s || commands_register(s) < 0)
        die("out of memory");
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull)
        die("cannot open /dev/null");
    s->out = getenv("SHELL_BENCH_SHOW") ? stderr : devnull;
    s->quiet = 1;
    char line[256];
    snprintf(line, sizeof line, "threads %d; %s", threads, w->setup);
    if (cmd_run_line(s, line) != CMD_OK)
        die("the set-up commands failed");

    engine e;
    engine_init(&e, w, s->data);
    int n_train = nn_data_count(s->data, NN_TRAIN);
    long per_epoch = (n_train + w->batch - 1) / w->batch;
    long k = per_epoch * w->epochs;
    int rounds = quick ? 2 : w->rounds;
    if (quick)
        k = k < per_epoch ? k : per_epoch;
    if (block > 0)
        k = block;
    /* a progress line per block, as `train 10*K iters` prints one every K */
    snprintf(line, sizeof line, "train %ld iters every=%ld", k, k);

    /* warm-up: pages faulted in, OpenBLAS's threads started */
    engine_steps(&e, k / 4 + 1);
    cmd_run_line(s, "train 1 iters");

    double te[MAX_ROUNDS], ts[MAX_ROUNDS], ratio[MAX_ROUNDS];
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        engine_steps(&e, k);
        double t1 = now();
        if (cmd_run_line(s, line) != CMD_OK)
            die("train failed");
        double t2 = now();
        te[r] = (t1 - t0) / k;
        ts[r] = (t2 - t1) / k;
        ratio[r] = ts[r] / te[r];
    }
    printf("shell %s engine %.2f shell %.2f us/update overhead %.1f %% "
           "rounds %d block %ld\n", w->name, median(te, rounds) * 1e6,
           median(ts, rounds) * 1e6, (median(ratio, rounds) - 1) * 100,
           rounds, k);
    fflush(stdout);
    engine_free(&e);
    session_free(s);
    fclose(devnull);
}

static void usage(void)
{
    fprintf(stderr, "usage: shell_bench [-t THREADS] [-q] [-k BLOCK] "
                    "digits|fmnist\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int threads = 0, quick = 0, opt;
    long block = 0;
    const char *env = getenv("NNLAB_BENCH_THREADS");
    if (env && *env)
        threads = atoi(env);
    while ((opt = getopt(argc, argv, "t:qk:")) != -1) {
        if (opt == 't')
            threads = atoi(optarg);
        else if (opt == 'k')
            block = atol(optarg);
        else if (opt == 'q')
            quick = 1;
        else
            usage();
    }
    if (threads < 1)
        threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    if (optind >= argc)
        usage();
    for (int a = optind; a < argc; a++) {
        int found = 0;
        for (int i = 0; i < N_WORKLOADS; i++)
            if (!strcmp(argv[a], workloads[i].name)) {
                run(&workloads[i], threads, quick, block);
                found = 1;
            }
        if (!found)
            usage();
    }
    return 0;
}
