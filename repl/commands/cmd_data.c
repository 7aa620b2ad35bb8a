/*
 * cmd_data.c — the Data commands: data, split, subset (normalize is in
 * cmd_prep.c, augment in cmd_augment.c).
 *
 * A new data set replaces the old one only once it has loaded: a missing
 * or malformed file leaves data, network and history as they were.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "experiment.h"
#include "model.h"
#include "out.h"
#include "path.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

/* ------------------------------------------------------------------ */
/* Showing the data                                                     */
/* ------------------------------------------------------------------ */

static void show_classes(Session *s, const nn_data *d)
{
    int C = nn_data_classes(d);
    OutTable *t = out_table_new(5);
    out_table_cell(t, "class");
    out_table_cell(t, "name");
    out_table_cell(t, "train");
    out_table_cell(t, "dev");
    out_table_cell(t, "test");
    for (int c = 0; c < C; c++) {
        out_table_cell(t, "%d", c);
        out_table_cell(t, "%s", nn_data_class_name(d, c));
        for (int sp = 0; sp < NN_NSPLITS; sp++)
            out_table_cell(t, "%d", nn_data_class_count(d, (nn_split)sp, c));
    }
    out_table_print(s, t);
}

static void show_data(Session *s)
{
    const nn_data *d = s->data;
    static const char *const task[] = { "classification", "regression",
                                        "unlabeled" };
    int F = nn_data_features(d), w, h;
    char image[48] = "", prep[160];
    if (nn_data_image_size(d, &w, &h))
        snprintf(image, sizeof image, " (%dx%d images)", w, h);
    out_printf(s, "%s: %d train, %d dev, %d test; %d feature%s%s; %s",
               nn_data_name(d), nn_data_count(d, NN_TRAIN),
               nn_data_count(d, NN_DEV), nn_data_count(d, NN_TEST), F,
               F == 1 ? "" : "s", image, task[nn_data_task(d)]);
    if (nn_data_task(d) == NN_TASK_CLASSIFY)
        out_printf(s, ", %d classes", nn_data_classes(d));
    prep_describe(d, prep, sizeof prep);
    out_printf(s, "; normalization %s\n", prep);
    if (nn_data_task(d) == NN_TASK_CLASSIFY)
        show_classes(s, d);
    prep_show_features(s, d);
}

/* ------------------------------------------------------------------ */
/* Replacing the data                                                   */
/* ------------------------------------------------------------------ */

/* Take a freshly loaded data set (NULL: report err and keep the old). */
static int adopt(Session *s, nn_data *d, const nn_err *err)
{
    if (!d)
        return cmd_error(s, "%s", err->msg);
    nn_data_free(s->data);
    s->data = d;
    model_restart(s);
    show_data(s);
    model_data_changed(s, "new data");
    /* what the network sees: a new set starts without PCA, but say it the
     * way net checks it */
    if (s->net && s->net->n_in != nn_data_inputs(d))
        out_printf(s, "note: the network takes %d input%s and these data "
                   "have %d feature%s: build a new one with net\n",
                   s->net->n_in, s->net->n_in == 1 ? "" : "s",
                   nn_data_inputs(d), nn_data_inputs(d) == 1 ? "" : "s");
    nn_err why;
    if (s->net && nn_trainer_check_loss(s->net->loss, d, &why))
        out_printf(s, "note: the network's %s (build a new one with net)\n",
                   why.msg);
    return CMD_OK;
}

static int data_generate(Session *s, const char *kind, int argc, char **argv)
{
    long n = 0, classes = 0, dim = 0, seed = (long)model_seed(s);
    double noise = -1, factor = 0;
    const OptSpec spec[] = {
        { "n", 'i', &n, 4, 1000000, NULL, NULL },
        { "noise", 'd', &noise, 0, 10, NULL, NULL },
        { "classes", 'i', &classes, 2, 100, NULL, NULL },
        { "factor", 'd', &factor, 0.01, 0.99, NULL, NULL },
        { "dim", 'i', &dim, 1, 100000, NULL, NULL },
        { "seed", 'i', &seed, 0, 2147483647L, NULL, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    if (args_parse(s, argc, argv, 2, spec, NULL, 0) < 0)
        return CMD_ERR;
    nn_gen_opts o = { (int)n, noise, (int)classes, factor, (int)dim,
                      (uint64_t)seed };
    nn_err err;
    return adopt(s, nn_data_generate(kind, &o, &err), &err);
}

/* A shipped CSV file; width x height when its rows are images (the file
 * cannot say so: digits are 8x8), else 0 x 0. */
static int data_shipped(Session *s, const char *file, int label,
                        nn_header header, int width, int height)
{
    char path[4096];
    nn_err err;
    if (path_find("NNLAB_DATA", "data", file, path, sizeof path))
        return cmd_error(s, "cannot find the shipped file %s (looked "
                         "beside the program, in ./data and in %s/data)",
                         file, NNLAB_DATADIR);
    if (width)
        return adopt(s, nn_data_load_csv_image(path, label, header,
                                               model_seed(s), width, height,
                                               NULL, &err), &err);
    return adopt(s, nn_data_load_csv(path, label, header, model_seed(s), &err),
                 &err);
}

/* image=WxH: 0, or -1 after saying what was expected. */
static int parse_image_size(Session *s, const char *text, int *w, int *h)
{
    char *x = strchr(text, 'x');
    long a, b;
    char first[32];
    if (!x || x == text || (size_t)(x - text) >= sizeof first) {
        cmd_error(s, "image=%s: expected WIDTHxHEIGHT in pixels, e.g. "
                  "image=28x28", text);
        return -1;
    }
    snprintf(first, sizeof first, "%.*s", (int)(x - text), text);
    if (args_int(s, first, "image width", 1, 100000, &a) ||
        args_int(s, x + 1, "image height", 1, 100000, &b))
        return -1;
    *w = (int)a;
    *h = (int)b;
    return 0;
}

static int data_csv(Session *s, int argc, char **argv)
{
    static const char *const headers[] = { "auto", "yes", "no", NULL };
    const char *label = "last", *image = NULL;
    int header = 0, width = 0, height = 0;
    char *pos[1];
    const OptSpec spec[] = {
        { "label", 's', &label, 0, 0, NULL, NULL },
        { "header", 'e', &header, 0, 0, headers, NULL },
        { "image", 's', &image, 0, 0, NULL, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    int np = args_parse(s, argc, argv, 2, spec, pos, 1);
    if (np < 0)
        return CMD_ERR;
    if (np == 0)
        return cmd_error(s, "load needs a file: data load FILE.csv "
                         "[label=last|first|none|N] [header=auto|yes|no] "
                         "[image=WxH]");
    if (image && parse_image_size(s, image, &width, &height))
        return CMD_ERR;
    int col;
    if (!strcmp(label, "last"))
        col = NN_LABEL_LAST;
    else if (!strcmp(label, "first"))
        col = NN_LABEL_FIRST;
    else if (!strcmp(label, "none"))
        col = NN_LABEL_NONE;
    else {
        long c;
        if (args_int(s, label, "label column (1-based)", 1, 100000,
                    &c))
            return CMD_ERR;
        col = (int)c - 1;
    }
    static const nn_header hk[] = { NN_HEADER_AUTO, NN_HEADER_YES,
                                    NN_HEADER_NO };
    nn_err err;
    nn_csv_report rep = {0};
    nn_data *d = image ? nn_data_load_csv_image(pos[0], col, hk[header],
                                                model_seed(s), width, height,
                                                &rep, &err)
                       : nn_data_load_csv_report(pos[0], col, hk[header],
                                                 model_seed(s), &rep, &err);
    /* what header=auto decided is said: a first row of numbers taken for
     * names would silently lose an example */
    if (d && rep.note[0] && hk[header] == NN_HEADER_AUTO)
        out_printf(s, "%s: %s\n", pos[0], rep.note);
    return adopt(s, d, &err);
}

static int data_idx(Session *s, const char *kind, int argc, char **argv)
{
    long limit = 0;
    char *pos[1];
    const OptSpec spec[] = {
        { "limit", 'i', &limit, 1, 10000000, NULL, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    int np = args_parse(s, argc, argv, 2, spec, pos, 1);
    if (np < 0)
        return CMD_ERR;
    const char *dir = np ? pos[0] : !strcmp(kind, "fashion") ? FASHION_DIR
                                                             : NULL;
    if (!dir)
        return cmd_error(s, "mnist needs the directory of its IDX "
                         "files: data mnist DIR [limit=N]");
    char f[4][4200];
    static const char *const names[4] = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };
    for (int i = 0; i < 4; i++) {
        snprintf(f[i], sizeof f[i], "%s/%s.gz", dir, names[i]);
        if (access(f[i], R_OK))
            snprintf(f[i], sizeof f[i], "%s/%s", dir, names[i]);
    }
    int has_test = !access(f[2], R_OK) && !access(f[3], R_OK);
    nn_err err;
    nn_data *d = nn_data_load_idx(f[0], f[1], has_test ? f[2] : NULL,
                                  has_test ? f[3] : NULL, (int)limit, &err);
    static const char *const fashion[] = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
        "Shirt", "Sneaker", "Bag", "Ankle boot" };
    if (d && (nn_data_set_name(d, kind, &err) ||
              (!strcmp(kind, "fashion") &&
               nn_data_set_class_names(d, fashion, 10, &err)))) {
        nn_data_free(d);
        d = NULL;
    }
    return adopt(s, d, &err);
}

static const char *const data_kinds[] = {
    "circles", "moons", "spiral", "xor", "blobs", "linear", "gauss",
    "digits", "iris", "fashion", "mnist", "load", NULL
};

static int cmd_data(Session *s, int argc, char **argv)
{
    if (argc == 1) {
        if (!s->data)
            return cmd_error(s, "no data yet; try 'data circles' or "
                             "'data digits'");
        show_data(s);
        return CMD_OK;
    }
    int k;
    if (args_enum(s, argv[1], "data set", data_kinds, &k))
        return CMD_ERR;
    const char *kind = data_kinds[k];
    int rc;
    if (!strcmp(kind, "digits") || !strcmp(kind, "iris")) {
        if (args_parse(s, argc, argv, 2, (const OptSpec[]){
                { NULL, 0, NULL, 0, 0, NULL, NULL } }, NULL, 0) < 0)
            return CMD_ERR;
        rc = !strcmp(kind, "digits")
                 ? data_shipped(s, "digits.csv.gz", NN_LABEL_LAST,
                                NN_HEADER_NO, 8, 8)
                 : data_shipped(s, "iris.csv", NN_LABEL_LAST,
                                NN_HEADER_AUTO, 0, 0);
    } else if (!strcmp(kind, "fashion") || !strcmp(kind, "mnist")) {
        rc = data_idx(s, kind, argc, argv);
    } else if (!strcmp(kind, "load")) {
        rc = data_csv(s, argc, argv);
    } else {
        rc = data_generate(s, kind, argc, argv);
    }
    if (rc == CMD_OK) /* so an exported search can make them again */
        experiment_note_data(s, model_seed(s), argc, argv, 1);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Splits                                                               */
/* ------------------------------------------------------------------ */

static int cmd_split(Session *s, int argc, char **argv)
{
    if (model_need_data(s))
        return CMD_ERR;
    if (argc == 1) {
        out_printf(s, "split: %d train, %d dev, %d test\n",
                   nn_data_count(s->data, NN_TRAIN),
                   nn_data_count(s->data, NN_DEV),
                   nn_data_count(s->data, NN_TEST));
        return CMD_OK;
    }
    double train = -1, dev = 0, test = 0;
    const OptSpec spec[] = {
        { "train", 'd', &train, 0, 1e9, NULL, NULL },
        { "dev", 'd', &dev, 0, 1e9, NULL, NULL },
        { "test", 'd', &test, 0, 1e9, NULL, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    if (args_parse(s, argc, argv, 1, spec, NULL, 0) < 0)
        return CMD_ERR;
    if (train < 0 && dev + test > 100)
        return cmd_error(s, "dev=%g and test=%g leave no percent for "
                         "train; to split by counts give train= too",
                         dev, test);
    if (train < 0)
        train = 100 - dev - test;
    /* numbers adding up to 100 are percentages, others are counts */
    int percent = fabs(train + dev + test - 100) < 1e-9;
    int total = nn_data_size(s->data);
    nn_err err;
    if (nn_data_split(s->data, train, dev, test, percent, model_seed(s), &err))
        return cmd_error(s, "%s", err.msg);
    model_restart(s);
    out_printf(s, "split: %d train, %d dev, %d test (shuffled with seed %llu)\n",
               nn_data_count(s->data, NN_TRAIN), nn_data_count(s->data, NN_DEV),
               nn_data_count(s->data, NN_TEST), (unsigned long long)model_seed(s));
    int own = nn_data_own_test(s->data);
    if (own && test == 0)
        out_printf(s, "  (the test split stays the %d images of %s's own "
                   "test files)\n", own, nn_data_name(s->data));
    else if (own)
        out_printf(s, "  (%s's own test files are pooled in; a split "
                   "without test= keeps them as the test split)\n",
                   nn_data_name(s->data));
    int pool = total - (test == 0 ? own : 0);
    if (!percent && train + dev + test < pool)
        out_printf(s, "  (read as counts: %d examples are left out; numbers "
                   "that add up to 100 are percentages)\n",
                   pool - (int)(train + dev + test));
    experiment_note_data(s, model_seed(s), argc, argv, 0);
    model_data_changed(s, "a new split");
    return CMD_OK;
}

static int cmd_subset(Session *s, int argc, char **argv)
{
    long n;
    if (model_need_data(s))
        return CMD_ERR;
    if (argc == 1) {
        out_printf(s, "subset: training on %d examples\n",
                   nn_data_count(s->data, NN_TRAIN));
        return CMD_OK;
    }
    if (argc != 2)
        return cmd_error(s, "expected one number, the training "
                         "examples to keep: subset 20");
    if (args_int(s, argv[1], "number of training examples", 1,
                nn_data_count(s->data, NN_TRAIN), &n))
        return CMD_ERR;
    nn_err err;
    if (nn_data_subset(s->data, (int)n, &err))
        return cmd_error(s, "%s", err.msg);
    model_restart(s);
    out_printf(s, "subset: training on the first %ld examples only (dev and "
               "test unchanged)\n", n);
    experiment_note_data(s, model_seed(s), argc, argv, 0);
    model_data_changed(s, "a new subset");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_data_rows[] = {
{
    .name = "data", .group = "Data", .fn = cmd_data,
    .usage = "data [circles|moons|spiral|xor|blobs|linear|gauss|digits|"
             "iris|fashion|mnist|load] [options]",
    .summary = "generate, load or show the data set",
    .help =
        "data                 show the data: sizes, classes and their\n"
        "                     balance, feature ranges, normalization\n"
        "data circles|moons|xor|linear [n=300] [noise=] [seed=]\n"
        "data spiral|blobs [n=300] [classes=3] [noise=] [seed=]\n"
        "                     generated 2-D problems, split 70/15/15;\n"
        "                     noise has a default per problem (circles\n"
        "                     0.08, moons 0.2, spiral 0.2, xor 0.1, blobs\n"
        "                     0.25, linear 0)\n"
        "factor=0.5           circles only: inner radius / outer radius\n"
        "data gauss [n=1000] [dim=500]\n"
        "                     unlabeled Gaussian inputs, to watch activation\n"
        "                     statistics through a deep net (forward only)\n"
        "data digits          the shipped 8x8 handwritten digits\n"
        "                     (1797 images of 64 pixels, 10 classes)\n"
        "data iris            the shipped iris flowers (150 x 4, 3 classes)\n"
        "data fashion [DIR] [limit=N]\n"
        "                     Fashion-MNIST IDX files (.gz or not); DIR\n"
        "                     defaults to where Debian's dataset-fashion-mnist\n"
        "                     puts them; its own test set is the test split\n"
        "data mnist DIR [limit=N]\n"
        "                     MNIST IDX files from DIR\n"
        "data load FILE.csv [label=last|first|N] [header=yes|no|auto]\n"
        "          [image=WxH]\n"
        "                     a CSV file (.gz too); the label is the last\n"
        "                     column unless given, header auto-detected\n"
        "image=WxH            the features of each row are a W x H image,\n"
        "                     row by row from the top (image=28x28 for 784\n"
        "                     pixels), for augment and plot augment\n"
        "limit=N              keep only the first N training images",
    .example = "data moons n=500 noise=0.2",
    .words = CMD_WORDS("@gens", "digits", "iris", "fashion:@files",
                       "mnist:@files", "load:@files"),
    .keys = CMD_WORDS("n=", "noise=", "factor=", "classes=", "seed=", "dim=",
                  "limit=",
                  "label=last|first", "header=yes|no|auto",
                  "image=8x8|28x28"),
    .flags = CMD_IDLE,
},
{
    .name = "split", .group = "Data", .fn = cmd_split,
    .usage = "split train=70 dev=15 test=15",
    .summary = "divide the examples into train, dev and test sets",
    .help =
        "train= dev= test=    percentages summing to 100, or counts of\n"
        "                     examples (data starts split 70/15/15)\n"
        "The examples are shuffled by the seed and, for classes, stratified\n"
        "so each set keeps the class balance.  Train on train, choose\n"
        "hyperparameters on dev, and look at test once, at the end.  With\n"
        "normalization on, mu and sigma are recomputed from the new training\n"
        "set.",
    .example = "split train=60 dev=20 test=20",
    .keys = CMD_WORDS("train=", "dev=", "test="),
    .flags = CMD_IDLE,
},
{
    .name = "subset", .group = "Data", .fn = cmd_subset,
    .usage = "subset N",
    .summary = "keep only the first N training examples",
    .help =
        "N                    training examples to keep; dev and test stay\n"
        "The \"overfit a tiny subset\" check: a network and training loop that\n"
        "work should fit, say, 20 examples to 100% training accuracy.  If\n"
        "they cannot, look for a bug before tuning anything.  Loading the\n"
        "data again (data circles, data digits ...) brings the full set\n"
        "back.  Alone, subset shows how many examples train.",
    .example = "subset 20",
    .flags = CMD_IDLE,
},
{0},
};
