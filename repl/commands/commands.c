/*
 * commands.c — THE command table: every command nnlab knows, with the text
 * a student reads about it.
 *
 * One row drives dispatch (cmd_run_line), the `help` listing, `help CMD`
 * and Tab completion, as the command table of readline's fileman.c does.
 * Adding a command is adding a row here and a handler (handlers.h).
 *
 * Writing a row:
 *   usage    the command's forms, as typed; [optional], A|B alternatives
 *   summary  one line for the listing, lower case, no full stop
 *   help     the options with their defaults, one per line, then a few
 *            lines on what the command teaches; lines of at most 76
 *            characters (help indents them by 2)
 *   example  one line that runs as it stands
 *   words, keys  what Tab completes (the mini-language is in cmd.h)
 *   flags    CMD_IDLE when the command must wait for training to pause
 *
 * The defaults quoted here are the engine's (nn_trainer_init,
 * nn_optim_defaults, nn_gen_opts): when one changes, change its help too.
 */
#include <stddef.h>

#include "cmd.h"
#include "handlers.h"

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

#define ACTS "linear|sigmoid|tanh|relu|leaky|elu|softmax"
#define INITS "zeros|const|normal|uniform|xavier|xavier-normal|he|" \
              "he-uniform|lecun|orthogonal"
#define OPTIMS "gd|momentum|nesterov|rmsprop|adam"
#define PLOTS "loss|acc|weights|grads|updates|acts|gradcheck|boundary|" \
              "data|lr|ewa|search|compare"
#define TERMS "auto|qt|wxt|x11|dumb|png|svg|sixel"

const Command commands[] = {

/* ------------------------------------------------------------------ */
/* Data                                                                 */
/* ------------------------------------------------------------------ */

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
        "                     (1797 x 64, 10 classes)\n"
        "data iris            the shipped iris flowers (150 x 4, 3 classes)\n"
        "data fashion [DIR] [limit=N]\n"
        "                     Fashion-MNIST IDX files (.gz or not); DIR\n"
        "                     defaults to where Debian's dataset-fashion-mnist\n"
        "                     puts them; its own test set is the test split\n"
        "data mnist DIR [limit=N]\n"
        "                     MNIST IDX files from DIR\n"
        "data load FILE.csv [label=last|first|N] [header=yes|no|auto]\n"
        "                     a CSV file (.gz too); the label is the last\n"
        "                     column unless given, header auto-detected\n"
        "limit=N              keep only the first N training images",
    .example = "data moons n=500 noise=0.2",
    .words = WORDS("circles", "moons", "spiral", "xor", "blobs", "linear",
                   "gauss", "digits", "iris", "fashion:@files",
                   "mnist:@files", "load:@files"),
    .keys = WORDS("n=", "noise=", "factor=", "classes=", "seed=", "dim=",
                  "limit=",
                  "label=last|first", "header=yes|no|auto"),
    .complete = COMPLETE_WORDS, .flags = CMD_IDLE,
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
    .keys = WORDS("train=", "dev=", "test="),
    .complete = COMPLETE_WORDS, .flags = CMD_IDLE,
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
    .complete = COMPLETE_NONE, .flags = CMD_IDLE,
},
{
    .name = "normalize", .group = "Data", .fn = cmd_normalize,
    .usage = "normalize [on|off|scale]",
    .summary = "z-score the inputs with the training set's mean and std",
    .help =
        "on                   x = (x - mu) / sigma for each feature, with mu\n"
        "                     and sigma from the training set only, applied\n"
        "                     unchanged to dev and test (mu and sigma shown)\n"
        "scale                x = (x - lo) / (hi - lo), lo and hi the least\n"
        "                     and greatest value of the training set: pixel\n"
        "                     values (digits' 0..16) to [0, 1]\n"
        "off                  the raw features (the default)\n"
        "Features on very different scales stretch the cost surface, so\n"
        "gradient descent needs a small learning rate and zig-zags.  Alone,\n"
        "normalize shows which is in use.",
    .example = "normalize on",
    .words = WORDS("on", "off", "scale"),
    .complete = COMPLETE_WORDS,
},

/* ------------------------------------------------------------------ */
/* Network                                                              */
/* ------------------------------------------------------------------ */

{
    .name = "net", .group = "Network", .fn = cmd_net,
    .usage = "net N_IN HIDDEN... N_OUT [act=relu] [out=auto] [loss=auto]",
    .summary = "build a fully connected network",
    .help =
        "N_IN HIDDEN... N_OUT layer sizes: inputs, hidden layers, outputs;\n"
        "                     500*10 stands for ten layers of 500\n"
        "act=relu             the hidden layers' activation: linear sigmoid\n"
        "                     tanh relu leaky[=a] elu[=a] (leaky's slope a\n"
        "                     defaults to 0.01, elu's alpha to 1)\n"
        "out=auto             the output activation; auto follows the data:\n"
        "                     one output on two classes: sigmoid; C > 2\n"
        "                     outputs: softmax; regression: linear\n"
        "loss=auto            bce (binary cross-entropy), xent (cross-entropy)\n"
        "                     or mse (squared error); auto fits the output\n"
        "The weights are initialized at once with the current init (he unless\n"
        "changed) and seed.  Alone, net prints each layer's shape, activation,\n"
        "dropout keep-probability, batch norm and parameter count, and the\n"
        "loss.",
    .example = "net 2 10 5 1 act=relu",
    .keys = WORDS("act=" ACTS, "out=auto|" ACTS, "loss=auto|bce|xent|mse"),
    .complete = COMPLETE_WORDS, .flags = CMD_IDLE,
},
{
    .name = "layer", .group = "Network", .fn = cmd_layer,
    .usage = "layer add [POS] dense N [ACT] | layer add POS bn | "
             "layer del POS | layer set POS [act=] [keep=] [bn=]",
    .summary = "add, delete or change one layer",
    .help =
        "add [POS] dense N [ACT]\n"
        "                     insert a dense layer of N units so that it\n"
        "                     becomes layer POS (default: the last hidden\n"
        "                     one); the layer after it is re-initialized\n"
        "add POS bn           batch norm on layer POS\n"
        "del POS              delete hidden layer POS\n"
        "set POS act=tanh keep=0.8 bn=on\n"
        "                     change layer POS's activation, dropout\n"
        "                     keep-probability or batch norm\n"
        "Layers are numbered from 1, the first hidden layer, as in the course\n"
        "(net shows the numbers).  The other layers keep their weights.",
    .example = "layer add 2 dense 8 tanh",
    .words = WORDS("add", "del", "set"),
    .keys = WORDS("act=" ACTS, "keep=", "bn=on|off"),
    .complete = COMPLETE_WORDS, .flags = CMD_IDLE,
},

/* ------------------------------------------------------------------ */
/* Hyperparameters                                                      */
/* ------------------------------------------------------------------ */

{
    .name = "init", .group = "Hyperparameters", .fn = cmd_init,
    .usage = "init [zeros | const V | normal STD | uniform A | xavier | "
             "xavier-normal | he | he-uniform | lecun | orthogonal] "
             "[gain=1] [layer=L]",
    .summary = "choose the weight initialization and re-initialize now",
    .help =
        "zeros                every weight 0: the units of a layer stay\n"
        "                     identical (symmetry is never broken)\n"
        "const V              every weight V\n"
        "normal STD           N(0, STD^2): normal 0.01 is small, normal 1\n"
        "                     large\n"
        "uniform A            U(-A, A)\n"
        "xavier               Glorot: U(-r, r), r = sqrt(6 / (n_in + n_out))\n"
        "xavier-normal        N(0, 2 / (n_in + n_out))\n"
        "he                   N(0, 2 / n_in), made for ReLU (the default)\n"
        "he-uniform           U(-r, r), r = sqrt(6 / n_in)\n"
        "lecun                N(0, 1 / n_in)\n"
        "orthogonal           a random orthogonal matrix\n"
        "gain=1               multiplies the scale\n"
        "layer=L              only layer L (default: all)\n"
        "Biases start at 0.  The optimizer's state is reset too, and init\n"
        "says so.  Alone, init shows the current initialization.",
    .example = "init xavier",
    .words = WORDS("zeros", "const", "normal", "uniform", "xavier",
                   "xavier-normal", "he", "he-uniform", "lecun",
                   "orthogonal"),
    .keys = WORDS("gain=", "layer="),
    .complete = COMPLETE_WORDS, .flags = CMD_IDLE,
},
{
    .name = "reset", .group = "Hyperparameters", .fn = cmd_reset,
    .usage = "reset",
    .summary = "re-initialize with the current settings and the same seed",
    .help =
        "The weights become exactly what net or init gave them, and training\n"
        "starts over: iteration 0, optimizer state zeroed, history cleared.\n"
        "Use it to try one change at a time from the same start.",
    .example = "reset",
    .complete = COMPLETE_NONE, .flags = CMD_IDLE,
},
{
    .name = "reg", .group = "Hyperparameters", .fn = cmd_reg,
    .usage = "reg [none | l2 LAMBDA | l1 LAMBDA]",
    .summary = "L2 or L1 regularization of the weights",
    .help =
        "none                 no penalty (the default)\n"
        "l2 LAMBDA            the cost gains (lambda/2m) * sum ||W||^2: weight\n"
        "                     decay, every weight shrinks a little each step\n"
        "l1 LAMBDA            the cost gains (lambda/m) * sum |W|: every\n"
        "                     weight is pulled towards 0 at the same rate,\n"
        "                     so the unhelpful ones end up near 0 (sparse)\n"
        "m is the number of training examples, also with mini-batches (each\n"
        "batch estimates the one cost of the whole set).  Biases are not\n"
        "penalized.  Regularization trades a little training\n"
        "accuracy for less variance (a smaller train-dev gap).  Alone, reg\n"
        "shows the current setting.",
    .example = "reg l2 0.1",
    .words = WORDS("none", "l2", "l1"),
    .complete = COMPLETE_WORDS,
},
{
    .name = "dropout", .group = "Hyperparameters", .fn = cmd_dropout,
    .usage = "dropout [KEEP | LAYER KEEP | off]",
    .summary = "inverted dropout on the hidden layers",
    .help =
        "KEEP                 keep-probability of every hidden layer, e.g.\n"
        "                     0.8 (1 means no dropout)\n"
        "LAYER KEEP           for one layer only\n"
        "off                  no dropout (the default)\n"
        "In training each unit is kept with probability KEEP and the kept\n"
        "ones are divided by KEEP, so nothing needs changing at evaluation,\n"
        "where dropout is never applied.  The cost is noisy with dropout on:\n"
        "check that it falls with dropout off first.",
    .example = "dropout 0.8",
    .words = WORDS("off"),
    .complete = COMPLETE_WORDS,
},
{
    .name = "bn", .group = "Hyperparameters", .fn = cmd_bn,
    .usage = "bn [on|off] [layer=L]",
    .summary = "batch normalization before the activation",
    .help =
        "on|off               batch norm on every hidden layer (default off)\n"
        "layer=L              on one layer only\n"
        "In training a layer normalizes Z over the mini-batch, then scales\n"
        "and shifts it by a learned gamma and beta.  It keeps running\n"
        "averages of the mean and variance, which evaluation uses instead of\n"
        "the batch's.  Alone, bn shows which layers have it.",
    .example = "bn on",
    .words = WORDS("on", "off"),
    .keys = WORDS("layer="),
    .complete = COMPLETE_WORDS, .flags = CMD_IDLE,
},
{
    .name = "optim", .group = "Hyperparameters", .fn = cmd_optim,
    .usage = "optim [gd|momentum|nesterov|rmsprop|adam] [lr=0.01] "
             "[beta=0.9] [beta1=0.9] [beta2=0.999] [eps=1e-8]",
    .summary = "choose the optimizer and its settings",
    .help =
        "gd                   W -= lr * dW (the default)\n"
        "momentum             v = beta*v + (1-beta)*dW;  W -= lr * v\n"
        "nesterov             momentum, stepping from the look-ahead point\n"
        "rmsprop              s = beta2*s + (1-beta2)*dW^2;\n"
        "                     W -= lr * dW / (sqrt(s) + eps); no bias\n"
        "                     correction, so with beta2=0.999 the first\n"
        "                     steps are about 30x lr (beta2=0.9 is common)\n"
        "adam                 momentum and RMSprop together, each divided by\n"
        "                     its bias correction (1 - beta^t)\n"
        "lr=0.01              the learning rate (lr VALUE sets it alone)\n"
        "beta=0.9             momentum's average: about 1/(1-beta) gradients\n"
        "beta1=0.9            Adam's first moment\n"
        "beta2=0.999          Adam's (and RMSprop's) second moment\n"
        "eps=1e-8             keeps the division safe\n"
        "Alone, optim shows the optimizer and its settings.",
    .example = "optim adam lr=0.001",
    .words = WORDS("gd", "momentum", "nesterov", "rmsprop", "adam"),
    .keys = WORDS("lr=", "beta=", "beta1=", "beta2=", "eps="),
    .complete = COMPLETE_WORDS,
},
{
    .name = "lr", .group = "Hyperparameters", .fn = cmd_lr,
    .usage = "lr [VALUE]",
    .summary = "set the learning rate (alpha)",
    .help =
        "VALUE                e.g. 0.1 or 1e-3 (default 0.01)\n"
        "It takes effect at the next update, also while training runs: try\n"
        "it with plot loss open.  Too high and the loss jumps or diverges;\n"
        "too low and it creeps.  With decay this is the starting rate\n"
        "alpha0.  Alone, lr shows the rate in use.",
    .example = "lr 0.001",
    .complete = COMPLETE_NONE,
},
{
    .name = "batch", .group = "Hyperparameters", .fn = cmd_batch,
    .usage = "batch [N|full|1]",
    .summary = "the mini-batch size",
    .help =
        "N                    examples per update (default 64)\n"
        "full                 the whole training set: batch gradient descent\n"
        "1                    one example: stochastic gradient descent\n"
        "Smaller batches make more updates per epoch, each noisier.  Alone,\n"
        "batch shows the size and the updates per epoch.",
    .example = "batch 32",
    .words = WORDS("full"),
    .complete = COMPLETE_WORDS,
},
{
    .name = "decay", .group = "Hyperparameters", .fn = cmd_decay,
    .usage = "decay [none | inverse RATE | exp RATE | step EVERY FACTOR] "
             "[every=1] | decay show [epochs=N]",
    .summary = "learning-rate decay",
    .help =
        "none                 a constant learning rate (the default)\n"
        "inverse RATE         alpha = alpha0 / (1 + RATE * epoch)\n"
        "exp RATE             alpha = alpha0 * RATE^epoch, e.g. exp 0.95\n"
        "step EVERY FACTOR    alpha = alpha0 * FACTOR^floor(epoch / EVERY)\n"
        "every=1              count epochs in steps of this many\n"
        "show [epochs=N]      print the schedule as a table\n"
        "Large steps early, small steps near the minimum.  Alone, decay\n"
        "shows the schedule in use.",
    .example = "decay inverse 1",
    .words = WORDS("none", "inverse", "exp", "step", "show"),
    .keys = WORDS("every=", "epochs="),
    .complete = COMPLETE_WORDS,
},
{
    .name = "seed", .group = "Hyperparameters", .fn = cmd_seed,
    .usage = "seed [N]",
    .summary = "the random seed",
    .help =
        "N                    a whole number (default 1)\n"
        "Everything random comes from it: generated data, splits, initial\n"
        "weights, shuffling, dropout.  The same seed and the same commands\n"
        "give the same numbers.  Alone, seed shows it.",
    .example = "seed 42",
    .complete = COMPLETE_NONE,
},
{
    .name = "threads", .group = "Hyperparameters", .fn = cmd_threads,
    .usage = "threads [N]",
    .summary = "threads OpenBLAS may use",
    .help =
        "N                    1 or more\n"
        "Large layers go faster with more threads; small networks do not.\n"
        "Alone, threads shows the number in use.",
    .example = "threads 4",
    .complete = COMPLETE_NONE,
},

/* ------------------------------------------------------------------ */
/* Training                                                             */
/* ------------------------------------------------------------------ */

{
    .name = "step", .group = "Training", .fn = cmd_step,
    .usage = "step [N]",
    .summary = "make N mini-batch updates (default 1)",
    .help =
        "N                    updates to make (default 1)\n"
        "A single step is shown in detail: the cost before and after, and\n"
        "for each layer ||dW|| and ||Delta W|| / ||W||.  Gradient descent,\n"
        "one update at a time.",
    .example = "step",
    .complete = COMPLETE_NONE, .flags = CMD_IDLE,
},
{
    .name = "train", .group = "Training", .fn = cmd_train,
    .usage = "train N [iters|epochs] [every=K]",
    .summary = "train for N iterations or epochs",
    .help =
        "N iters|epochs       updates to make, or passes over the training\n"
        "                     set; N alone means epochs\n"
        "every=K              a line every K iterations or epochs: the\n"
        "                     last batch's cost (penalty included), dev\n"
        "                     loss, train accuracy (the last epoch's\n"
        "                     batches, in training mode: dropout on), dev\n"
        "                     accuracy, learning rate; eval gives exact\n"
        "                     train figures\n"
        "At the prompt training runs under a progress bar and the prompt\n"
        "stays live: lr 0.001, plot grads or pause take effect between two\n"
        "updates, and Ctrl-C pauses it, keeping every weight.  In a script\n"
        "train runs to its end.  A guard stops training when the loss turns\n"
        "NaN or Inf or grows past 3 times its first value, or 3 times the\n"
        "loss of a network that knows nothing (ln 2, ln C) if that is\n"
        "larger (measured again over the first updates after dropout or\n"
        "reg changes).",
    .example = "train 100 epochs every=10",
    .words = WORDS("2:iters|epochs"),
    .keys = WORDS("every="),
    .complete = COMPLETE_WORDS, .flags = CMD_IDLE,
},
{
    .name = "run", .group = "Training", .fn = cmd_run,
    .usage = "run",
    .summary = "train on and on, until pause",
    .help =
        "The play button of TensorFlow Playground: training goes on until\n"
        "pause, Ctrl-C, early stopping or the divergence guard.  Meanwhile\n"
        "change lr, reg or dropout and watch the plots react.",
    .example = "run",
    .complete = COMPLETE_NONE, .flags = CMD_IDLE,
},
{
    .name = "pause", .group = "Training", .fn = cmd_pause,
    .usage = "pause",
    .summary = "pause training started by train or run",
    .help =
        "Weights, optimizer state and history are kept: train or run goes on\n"
        "from there.  Ctrl-C does the same.",
    .example = "pause",
    .complete = COMPLETE_NONE,
},
{
    .name = "eval", .group = "Training", .fn = cmd_eval,
    .usage = "eval",
    .summary = "loss and accuracy on the train, dev and test sets",
    .help =
        "In evaluation mode: no dropout, and batch norm uses its running\n"
        "averages.  The loss is the data loss, without the regularization\n"
        "penalty.  Low training accuracy is bias (underfitting); a large gap\n"
        "between train and dev is variance (overfitting).",
    .example = "eval",
    .complete = COMPLETE_NONE,
},
{
    .name = "early", .group = "Training", .fn = cmd_early,
    .usage = "early [on|off] [patience=10]",
    .summary = "early stopping on the dev loss",
    .help =
        "on                   stop when the dev loss has not improved for\n"
        "                     `patience` epochs, and go back to the best\n"
        "                     weights\n"
        "off                  train as long as asked (the default)\n"
        "patience=10          epochs to wait for an improvement\n"
        "It needs a dev set.  Alone, early shows the setting.",
    .example = "early on patience=5",
    .words = WORDS("on", "off"),
    .keys = WORDS("patience="),
    .complete = COMPLETE_WORDS,
},
{
    .name = "guard", .group = "Training", .fn = cmd_guard,
    .usage = "guard [on|off]",
    .summary = "the divergence guard",
    .help =
        "on                   stop training when the loss becomes NaN or Inf\n"
        "                     or exceeds 3 times its first value (the\n"
        "                     default), naming the likely cause: a learning\n"
        "                     rate too high\n"
        "off                  let it diverge, to watch what happens\n"
        "Alone, guard shows the setting.",
    .example = "guard off",
    .words = WORDS("on", "off"),
    .complete = COMPLETE_WORDS,
},
{
    .name = "gradcheck", .group = "Training", .fn = cmd_gradcheck,
    .usage = "gradcheck [eps=1e-7] | gradcheck bug PARAM",
    .summary = "check backprop against numerical gradients",
    .help =
        "eps=1e-7             the step of the two-sided difference\n"
        "                     (J(w + eps) - J(w - eps)) / 2eps\n"
        "For every parameter tensor (W1, b1, ...) the relative error\n"
        "||g - g_num|| / (||g|| + ||g_num||), marked as the course does:\n"
        "below 1e-7 great, 1e-5 ok, 1e-3 suspicious, above that wrong.\n"
        "Dropout is switched off during the check, and the output says so.\n"
        "bug PARAM            plant a known bug in one gradient (bug dW2\n"
        "                     doubles dW2) and watch the check catch it",
    .example = "gradcheck",
    .words = WORDS("bug:off|@params"),
    .keys = WORDS("eps="),
    .complete = COMPLETE_WORDS,
},

/* ------------------------------------------------------------------ */
/* Inspecting                                                           */
/* ------------------------------------------------------------------ */

{
    .name = "stats", .group = "Inspecting", .fn = cmd_stats,
    .usage = "stats [weights|grads|acts|updates]",
    .summary = "per-layer statistics of weights, gradients and activations",
    .help =
        "weights              mean and variance of each layer's W\n"
        "grads                norm and variance of each dW\n"
        "updates              ||Delta W|| / ||W|| of the last update (about\n"
        "                     1e-3 is healthy)\n"
        "acts                 mean and std of the last forward pass's\n"
        "                     activations, and the % saturated (tanh,\n"
        "                     sigmoid near their limits) or dead (ReLU)\n"
        "Alone, stats shows them all.",
    .example = "stats acts",
    .words = WORDS("weights", "grads", "acts", "updates"),
    .complete = COMPLETE_WORDS,
},
{
    .name = "forward", .group = "Inspecting", .fn = cmd_forward,
    .usage = "forward",
    .summary = "one forward pass over the data, no training",
    .help =
        "So that stats acts and plot acts show what the initialization alone\n"
        "does to the activations, layer by layer.  Try data gauss, a deep\n"
        "tanh net, init normal 0.01, forward, plot acts.",
    .example = "forward",
    .complete = COMPLETE_NONE,
},
{
    .name = "predict", .group = "Inspecting", .fn = cmd_predict,
    .usage = "predict X1 X2 ...",
    .summary = "the network's output for one input",
    .help =
        "X1 X2 ...            one value per input feature, in the data's own\n"
        "                     units (normalization, when on, is applied)\n"
        "Shows the output units and, for classes, the predicted class.",
    .example = "predict 0.5 -1.2",
    .complete = COMPLETE_NONE,
},
{
    .name = "calc", .group = "Inspecting", .fn = cmd_calc,
    .usage = "calc softmax|xent|sigmoid|tanh|relu NUMBERS... [label=N]",
    .summary = "small calculators for worked examples",
    .help =
        "softmax Z1 Z2 ...    e^Zi / sum_j e^Zj for each score\n"
        "xent Z1 Z2 ... [label=0]\n"
        "                     the softmax of the scores, then the cross-\n"
        "                     entropy -ln(p) of the label's probability\n"
        "sigmoid|tanh|relu Z ...\n"
        "                     the activation of each number",
    .example = "calc xent 2 1 0.1 label=0",
    .words = WORDS("softmax", "xent", "sigmoid", "tanh", "relu"),
    .keys = WORDS("label="),
    .complete = COMPLETE_WORDS,
},

/* ------------------------------------------------------------------ */
/* Plots                                                                */
/* ------------------------------------------------------------------ */

{
    .name = "plot", .group = "Plots", .fn = cmd_plot,
    .usage = "plot KIND | plot off [KIND] | plot term " TERMS " | "
             "plot save FILE.png|FILE.svg [KIND]",
    .summary = "live plots with gnuplot",
    .help =
        "loss                 train and dev cost against iterations or epochs\n"
        "acc                  train and dev accuracy\n"
        "weights              weight variance per layer over time\n"
        "grads                gradient norm per layer over time, log scale:\n"
        "                     vanishing and exploding gradients at a glance\n"
        "updates              ||Delta W|| / ||W|| per layer over time\n"
        "acts                 histograms of each layer's activations, now\n"
        "gradcheck            relative error per parameter tensor, with the\n"
        "                     1e-7, 1e-5 and 1e-3 lines\n"
        "boundary             decision regions of a 2-D problem, with the\n"
        "                     train and test points\n"
        "data                 the data (2-D problems)\n"
        "lr                   the learning-rate schedule\n"
        "ewa search compare   the results of those commands\n"
        "off [KIND]           close one plot, or all\n"
        "term auto|qt|...     where plots go; auto opens windows when there\n"
        "                     is a display, and draws in the terminal (dumb)\n"
        "                     when there is none\n"
        "save FILE [KIND]     save a plot as .png or .svg\n"
        "Plots follow training as it runs.",
    .example = "plot loss",
    .words = WORDS("loss", "acc", "weights", "grads", "updates", "acts",
                   "gradcheck", "boundary", "data", "lr", "ewa", "search",
                   "compare", "off:" PLOTS, "term:" TERMS, "save:@files",
                   "3:" PLOTS),
    .complete = COMPLETE_WORDS,
},

/* ------------------------------------------------------------------ */
/* Experiments                                                          */
/* ------------------------------------------------------------------ */

{
    .name = "compare", .group = "Experiments", .fn = cmd_compare,
    .usage = "compare KEY=V1,V2,...  (optim= init= reg= batch= lr= ...)",
    .summary = "train once per value of a setting and compare",
    .help =
        "optim=gd,momentum,adam   the values of one setting to try; also\n"
        "                     init=, reg=, batch=, lr=, keep=, act=, beta=,\n"
        "                     beta1=, beta2=\n"
        "epochs=20            how long each run trains\n"
        "The same network, data and seed are trained once per value.  A\n"
        "table of the final results, and one plot of the curves overlaid.",
    .example = "compare optim=gd,momentum,adam",
    .keys = WORDS("optim=" OPTIMS, "init=" INITS, "reg=", "batch=", "lr=",
                  "keep=", "act=" ACTS, "beta=", "beta1=", "beta2=",
                  "epochs="),
    .complete = COMPLETE_WORDS, .flags = CMD_IDLE,
},
{
    .name = "search", .group = "Experiments", .fn = cmd_search,
    .usage = "search KEY=LO..HI[:log] ... [n=N] [epochs=N] [grid] | "
             "search refine",
    .summary = "random or grid hyperparameter search",
    .help =
        "lr=1e-4..1:log       a range to search; :log samples on a log\n"
        "reg=1e-5..1:log      scale, right for rates and penalties, whose\n"
        "                     good values span decades\n"
        "n=N                  runs to make\n"
        "epochs=N             epochs of training per run\n"
        "grid                 a grid instead of random samples\n"
        "refine               narrow the ranges around the best runs:\n"
        "                     coarse to fine\n"
        "The results come as a table sorted by dev accuracy, and a scatter\n"
        "plot.",
    .example = "search lr=1e-4..1:log reg=1e-5..1:log n=20 epochs=5",
    .words = WORDS("grid", "refine"),
    .keys = WORDS("lr=", "reg=", "n=", "epochs="),
    .complete = COMPLETE_WORDS, .flags = CMD_IDLE,
},
{
    .name = "ewa", .group = "Experiments", .fn = cmd_ewa,
    .usage = "ewa [beta=0.9,0.98,0.5] [bias=on|off] "
             "[series=temperature|loss]",
    .summary = "exponentially weighted averages and bias correction",
    .help =
        "beta=0.9,0.98,0.5    one curve per beta: v = beta*v + (1-beta)*x,\n"
        "                     an average of about 1/(1-beta) values\n"
        "bias=on|off          divide by (1 - beta^t), so the start is not\n"
        "                     pulled toward 0\n"
        "series=temperature   what to average: a year of daily\n"
        "                     temperatures, or the recorded training loss",
    .example = "ewa beta=0.9,0.98 bias=off",
    .keys = WORDS("beta=", "bias=on|off", "series=temperature|loss"),
    .complete = COMPLETE_WORDS,
},

/* ------------------------------------------------------------------ */
/* Sessions                                                             */
/* ------------------------------------------------------------------ */

{
    .name = "save", .group = "Sessions", .fn = cmd_save,
    .usage = "save FILE",
    .summary = "save the model and its settings",
    .help =
        "The network, every weight exactly, and the training settings.  The\n"
        "file is written under a temporary name and then renamed, so a crash\n"
        "never leaves half a model.",
    .example = "save moons.model",
    .complete = COMPLETE_FILES,
},
{
    .name = "load", .group = "Sessions", .fn = cmd_load,
    .usage = "load FILE",
    .summary = "load a model written by save",
    .help =
        "Replaces the network and its settings with the saved ones.  A file\n"
        "that is not a valid model changes nothing.",
    .example = "load moons.model",
    .complete = COMPLETE_FILES, .flags = CMD_IDLE,
},
{
    .name = "history", .group = "Sessions", .fn = cmd_history,
    .usage = "history [csv FILE]",
    .summary = "the recorded training metrics",
    .help =
        "Alone, a summary of what training recorded.\n"
        "csv FILE             write the records to FILE as CSV, for a\n"
        "                     spreadsheet or a notebook",
    .example = "history csv run1.csv",
    .words = WORDS("csv:@files"),
    .complete = COMPLETE_WORDS,
},
{
    .name = "show", .group = "Sessions", .fn = cmd_show,
    .usage = "show",
    .summary = "list every setting",
    .help =
        "The data, network, initialization, regularization, dropout, batch\n"
        "norm, optimizer, learning rate and decay, batch size, early\n"
        "stopping, seed and threads, all in one place.",
    .example = "show",
    .complete = COMPLETE_NONE,
},

/* ------------------------------------------------------------------ */
/* Lessons                                                              */
/* ------------------------------------------------------------------ */

{
    .name = "lesson", .group = "Lessons", .fn = cmd_lesson,
    .usage = "lesson [NAME [SECTION]] | lesson end",
    .summary = "list the lessons, or start one",
    .help =
        "Alone, the lessons and your progress in each.\n"
        "NAME [SECTION]       start a lesson (at a section): it shows the\n"
        "                     text, puts each command on your prompt (Enter\n"
        "                     runs it, or edit it first), asks questions and\n"
        "                     checks your results\n"
        "end                  leave the lesson\n"
        "next, back, again and check move through it.",
    .example = "lesson init",
    .words = WORDS("end"),
    .complete = COMPLETE_LESSONS,
},
{
    .name = "next", .group = "Lessons", .fn = cmd_next,
    .usage = "next",
    .summary = "go on to the next part of the lesson",
    .example = "next",
    .complete = COMPLETE_NONE,
},
{
    .name = "back", .group = "Lessons", .fn = cmd_back,
    .usage = "back",
    .summary = "go back to the previous part of the lesson",
    .example = "back",
    .complete = COMPLETE_NONE,
},
{
    .name = "again", .group = "Lessons", .fn = cmd_again,
    .usage = "again",
    .summary = "start the current part of the lesson again",
    .example = "again",
    .complete = COMPLETE_NONE,
},
{
    .name = "check", .group = "Lessons", .fn = cmd_check,
    .usage = "check [EXPR]",
    .summary = "check your results",
    .help =
        "Alone, the checks of the lesson's current part.\n"
        "EXPR                 check an expression against the state now,\n"
        "                     e.g. check train_acc >= 0.95 (also in scripts)",
    .example = "check train_acc >= 0.9",
    .complete = COMPLETE_NONE,
},

/* ------------------------------------------------------------------ */
/* Shell                                                                */
/* ------------------------------------------------------------------ */

{
    .name = "help", .group = "Shell", .fn = cmd_help,
    .usage = "help [CMD|GROUP]",
    .summary = "list the commands, or explain one",
    .help =
        "Alone, every command by group.  help CMD (or CMD --help) shows its\n"
        "usage, options with their defaults, and an example; help GROUP\n"
        "lists one group.  Tab completes commands, options and file names.",
    .example = "help train",
    .complete = COMPLETE_COMMANDS,
},
{
    .name = "source", .group = "Shell", .fn = cmd_source,
    .usage = "source FILE",
    .summary = "run the commands of a script file",
    .help =
        "Runs FILE line by line as if typed, training included.  It stops at\n"
        "the first command that fails (nnlab -k keeps going).  A script may\n"
        "source others, 16 deep.",
    .example = "source moons.nn",
    .complete = COMPLETE_FILES,
},
{
    .name = "quit", .group = "Shell", .fn = cmd_quit,
    .usage = "quit",
    .summary = "leave nnlab (Ctrl-D too), saving the command history",
    .help = "Training still running is stopped first.",
    .example = "quit",
    .complete = COMPLETE_NONE,
},
{
    .name = "exit", .group = "Shell", .fn = cmd_quit,
    .usage = "exit",
    .summary = "the same as quit",
    .example = "exit",
    .complete = COMPLETE_NONE,
},

{0},
};
