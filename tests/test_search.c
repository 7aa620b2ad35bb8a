/*
 * test_search.c — search and compare in worker processes
 * (repl/commands/search_*.c, repl/core/workers.c): the same results with
 * jobs=1 and jobs=2 for every method; --result rows written by many
 * processes at once, each whole; and, measured and printed on a fixed
 * problem (digits, 64-32-10, Adam, lr and L2 on log scales, 16 trials of
 * 9 epochs, seeds 1..10), Bayesian search against random with the same
 * budget of trials, and successive halving's epochs against random's;
 * beta on a log1m scale, units= and layers= with every method.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd.h"
#include "commands.h"
#include "experiment.h"
#include "search.h"
#include "session.h"
#include "trial.h"
#include "tmpdir.h"

/* A session whose output goes to memory (thrown away). */
static Session *quiet_session(char **buf, size_t *len)
{
    Session *s = session_new();
    assert_non_null(s);
    assert_int_equal(commands_register(s), 0);
    s->out = open_memstream(buf, len);
    assert_non_null(s->out);
    return s;
}

/* fclose sets *buf to the stream's final buffer: free it after. */
static void end_session(Session *s, char **buf)
{
    fclose(s->out);
    s->out = stdout;
    session_free(s);
    free(*buf);
}

static void run(Session *s, const char *line)
{
    int rc = cmd_run_line(s, line);
    if (rc != CMD_OK) {
        fflush(s->out);
        fail_msg("'%s' failed", line);
    }
}

/* The best score of the last search, and its epochs. */
static double best_of(const Experiments *e)
{
    double best = -INFINITY;
    for (int t = 0; t < e->ntrials; t++)
        best = fmax(best, search_score(&e->t[t]));
    return best;
}

/* Every trial of two searches the same, bit for bit. */
static void assert_same_trials(const Experiments *a, const Experiments *b)
{
    assert_int_equal(a->ntrials, b->ntrials);
    assert_int_equal(a->epochs_total, b->epochs_total);
    for (int t = 0; t < a->ntrials; t++) {
        const SearchTrial *x = &a->t[t], *y = &b->t[t];
        assert_int_equal(x->state, y->state);
        assert_int_equal(x->epochs, y->epochs);
        assert_int_equal(x->rung, y->rung);
        assert_memory_equal(x->values, y->values, sizeof x->values);
        assert_true(x->dev_acc == y->dev_acc ||
                    (isnan(x->dev_acc) && isnan(y->dev_acc)));
        assert_true(x->train_loss == y->train_loss ||
                    (isnan(x->train_loss) && isnan(y->train_loss)));
    }
}

static void test_jobs_do_not_change_results(void **state)
{
    (void)state;
    static const char *const methods[] = { "random", "grid", "bayes",
                                           "halving" };
    char *b1 = NULL, *b2 = NULL;
    size_t l1, l2;
    Session *s1 = quiet_session(&b1, &l1), *s2 = quiet_session(&b2, &l2);
    const char *setup = "seed 2; data digits; normalize on; net 64 32 10; "
                        "optim adam";
    run(s1, setup);
    run(s2, setup);
    for (int m = 0; m < 4; m++) {
        char line[256];
        snprintf(line, sizeof line, "search lr=1e-4..1:log reg=1e-5..1:log "
                 "n=12 epochs=3 method=%s jobs=1", methods[m]);
        run(s1, line);
        snprintf(line, sizeof line, "search lr=1e-4..1:log reg=1e-5..1:log "
                 "n=12 epochs=3 method=%s jobs=2", methods[m]);
        run(s2, line);
        assert_same_trials(s1->exp, s2->exp);
    }
    /* compare: every run's curves the same */
    run(s1, "compare optim=gd,momentum,adam epochs=3 jobs=1");
    run(s2, "compare optim=gd,momentum,adam epochs=3 jobs=2");
    for (int i = 0; i < 3; i++) {
        const CompareRun *x = &s1->exp->runs[i], *y = &s2->exp->runs[i];
        assert_int_equal(x->n, y->n);
        assert_memory_equal(x->train_loss, y->train_loss,
                            (size_t)x->n * sizeof(double));
        assert_true(x->dev_acc == y->dev_acc);
    }
    end_session(s1, &b1);
    end_session(s2, &b2);
}

/* Eight processes append 25 rows each to one file at once: every row is
 * whole and the header is there once. */
static void test_result_rows_concurrent(void **state)
{
    (void)state;
    char dir[256], path[300];
    assert_int_equal(tu_tmpdir_make(dir, sizeof dir, "search"), 0);
    snprintf(path, sizeof path, "%s/rows.csv", dir);
    char *buf = NULL;
    size_t len;
    Session *s = quiet_session(&buf, &len);
    run(s, "data moons n=100; net 2 4 1; search lr=1e-3..1:log n=25 "
           "epochs=1 jobs=1");
    assert_int_equal(experiment_set_result_file(s, path), 0);
    pid_t kids[8];
    for (int k = 0; k < 8; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            for (int t = 0; t < 25; t++)
                search_append_result(s, s->exp, t);
            _exit(0);
        }
    }
    for (int k = 0; k < 8; k++) {
        int st;
        assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[1024];
    int rows = 0, headers = 0;
    while (fgets(line, sizeof line, fp)) {
        int commas = 0;
        for (char *p = line; *p; p++)
            commas += *p == ',';
        assert_int_equal(commas, 21); /* 22 columns: units, layers too */
        assert_non_null(strchr(line, '\n'));
        if (!strncmp(line, "trial,", 6))
            headers++;
        else
            rows++;
    }
    fclose(fp);
    assert_int_equal(headers, 1);
    assert_int_equal(rows, 200);
    /* and they import: 25 trials, the duplicates folded */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "search import %s", path);
    run(s, cmd);
    assert_int_equal(s->exp->ntrials, 25);
    end_session(s, &buf);
    tu_tmpdir_remove(dir);
}

/* The measurement: bayes against random with the same 16 trials,
 * halving against random's epochs. */
static void test_bayes_and_halving_against_random(void **state)
{
    (void)state;
    enum { SEEDS = 10 };
    int bayes_wins = 0, halving_reach = 0;
    long ep_random = 0, ep_halving = 0;
    char *buf = NULL;
    size_t len;
    Session *s = quiet_session(&buf, &len);
    for (int seed = 1; seed <= SEEDS; seed++) {
        char line[256];
        snprintf(line, sizeof line, "seed %d; data digits; normalize on; "
                 "net 64 32 10; optim adam", seed);
        run(s, line);
        const char *space = "search lr=1e-5..3:log reg=1e-6..10:log n=16 "
                            "epochs=9 jobs=2 method=";
        double best[3];
        long epochs[3];
        static const char *const m[] = { "random", "bayes", "halving" };
        for (int i = 0; i < 3; i++) {
            snprintf(line, sizeof line, "%s%s", space, m[i]);
            run(s, line);
            best[i] = best_of(s->exp);
            epochs[i] = s->exp->epochs_total;
        }
        bayes_wins += best[1] >= best[0];
        halving_reach += best[2] >= best[0];
        ep_random += epochs[0];
        ep_halving += epochs[2];
        assert_true(epochs[2] < epochs[0]);
    }
    printf("# measured: digits, 16 trials of up to 9 epochs: bayes as good "
           "as random on %d of %d seeds; halving reached random's best dev "
           "accuracy on %d of %d seeds in %ld epochs against random's %ld "
           "(all seeds)\n", bayes_wins, SEEDS, halving_reach, SEEDS,
           ep_halving, ep_random);
    assert_true(bayes_wins >= 7);
    assert_true(halving_reach >= 6);
    end_session(s, &buf);
}

/* beta on :log1m, units and layers: every method gives the same trials
 * with jobs=1 and jobs=2, the units and layers are whole numbers within
 * their ranges, and a random search puts about as many betas above 0.99
 * as below (a linear scale would put 9% there). */
static void test_log1m_units_layers(void **state)
{
    (void)state;
    static const char *const methods[] = { "random", "grid", "bayes",
                                           "halving" };
    char *b1 = NULL, *b2 = NULL;
    size_t l1, l2;
    Session *s1 = quiet_session(&b1, &l1), *s2 = quiet_session(&b2, &l2);
    const char *setup = "seed 3; data moons; net 2 8 1; optim momentum";
    run(s1, setup);
    run(s2, setup);
    for (int m = 0; m < 4; m++) {
        char line[256];
        snprintf(line, sizeof line, "search beta=0.9..0.999:log1m "
                 "units=2..32:log layers=1..3 n=9 epochs=3 method=%s jobs=1",
                 methods[m]);
        run(s1, line);
        snprintf(line, sizeof line, "search beta=0.9..0.999:log1m "
                 "units=2..32:log layers=1..3 n=9 epochs=3 method=%s jobs=2",
                 methods[m]);
        run(s2, line);
        assert_same_trials(s1->exp, s2->exp);
        const Experiments *e = s1->exp;
        assert_int_equal(e->keys[0].log, 2);
        for (int t = 0; t < e->ntrials; t++) {
            const double *v = e->t[t].values;
            assert_true(v[0] >= 0.9 && v[0] <= 0.999);
            assert_true(v[1] == round(v[1]) && v[1] >= 2 && v[1] <= 32);
            assert_true(v[2] == round(v[2]) && v[2] >= 1 && v[2] <= 3);
            assert_int_equal(e->t[t].state, TRIAL_DONE);
        }
    }
    run(s1, "search beta=0.9..0.999:log1m n=200 epochs=1");
    int above = 0;
    for (int t = 0; t < 200; t++)
        above += s1->exp->t[t].values[0] > 0.99;
    assert_true(above > 80 && above < 120);
    print_message("# beta=0.9..0.999:log1m, 200 random trials: %d above "
                  "0.99\n", above);
    end_session(s1, &b1);
    end_session(s2, &b2);
}

/* units= and layers= build the trial's hidden layers like the first:
 * its activation, keep-probability, batch norm and initializer. */
static void test_units_layers_net(void **state)
{
    (void)state;
    char *b = NULL;
    size_t l;
    Session *s = quiet_session(&b, &l);
    run(s, "data moons; net 2 8 6 1 act=tanh; dropout 0.8; "
           "layer set 1 bn=on; init xavier");
    nn_trainer tr;
    nn_net *net = trial_new(s, &tr);
    assert_non_null(net);
    assert_int_equal(trial_apply_setting(s, net, &tr, "layers", "3"), 0);
    assert_int_equal(net->n_layers, 4);
    assert_int_equal(trial_apply_setting(s, net, &tr, "units", "5"), 0);
    assert_int_equal(net->n_layers, 4);
    for (int i = 0; i < 3; i++) {
        const nn_layer *L = &net->L[i];
        assert_int_equal(L->out, 5);
        assert_int_equal(L->in, i ? 5 : 2);
        assert_int_equal(L->act, NN_ACT_TANH);
        assert_true(L->keep == 0.8);
        assert_int_equal(L->bn, 1);
        assert_int_equal(L->init.kind, NN_INIT_XAVIER);
    }
    assert_int_equal(net->L[3].in, 5);
    assert_int_equal(net->L[3].out, 1);
    assert_true(net->L[3].keep == 1);
    assert_int_not_equal(trial_apply_setting(s, net, &tr, "layers", "0"), 0);
    assert_int_not_equal(trial_apply_setting(s, net, &tr, "units", "x"), 0);
    assert_int_equal(net->n_layers, 4);     /* a bad value changes nothing */
    nn_net_free(net);
    nn_trainer_free(&tr);
    end_session(s, &b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jobs_do_not_change_results),
        cmocka_unit_test(test_result_rows_concurrent),
        cmocka_unit_test(test_log1m_units_layers),
        cmocka_unit_test(test_units_layers_net),
        cmocka_unit_test(test_bayes_and_halving_against_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
