/*
 * plot_kinds.c — the one table of plot kinds: name, whether it follows
 * training, what it needs, its help, and what draws it.  `plot`, its help,
 * Tab completion, live plots and `plot save` all read it.
 */
#include "plot_internal.h"

#include <stddef.h>

#include "experiment.h"
#include "model.h"
#include "nnlab.h"

#define LIVE (PLOT_FOLLOWS | PLOT_HISTORY)

const PlotKindRow plot_kinds[PLOT_NKINDS] = {
    [PLOT_LOSS] = {"loss", LIVE, PLOT_NEEDS_NET,
        "train and dev cost against iterations or epochs\n"
        "(which epochs measure dev, and on what: help train)",
        plot_draw_curves},
    [PLOT_ACC] = {"acc", LIVE, PLOT_NEEDS_NET,
        "train and dev accuracy (dev as in plot loss)", plot_draw_curves},
    [PLOT_WEIGHTS] = {"weights", LIVE, PLOT_NEEDS_NET,
        "weight variance per layer over time", plot_draw_per_layer},
    [PLOT_GRADS] = {"grads", LIVE, PLOT_NEEDS_NET | PLOT_NEEDS_LOSS,
        "gradient norm per layer over time, log scale:\n"
        "vanishing and exploding gradients at a glance\n"
        "(from 3 epochs on, each epoch's mean)",
        plot_draw_per_layer},
    [PLOT_UPDATES] = {"updates", LIVE, PLOT_NEEDS_NET,
        "||Delta W|| / ||W|| per layer over time", plot_draw_per_layer},
    [PLOT_ACTS] = {"acts", PLOT_FOLLOWS, PLOT_NEEDS_NET | PLOT_NEEDS_FORWARD,
        "histograms of each layer's activations in the\n"
        "last forward pass (the title says which), each\n"
        "over its own spread, mean +- 4 std", plot_draw_acts},
    [PLOT_WHIST] = {"whist", PLOT_FOLLOWS, PLOT_NEEDS_NET,
        "histograms of each layer's weights, now (also\n"
        "plot weights hist): L1's spike at 0",
        plot_draw_weight_hist},
    [PLOT_GRADCHECK] = {"gradcheck", 0,
        PLOT_NEEDS_NET | PLOT_NEEDS_GRADCHECK,
        "relative error per parameter tensor, with the\n"
        "1e-7, 1e-5 and 1e-3 lines", plot_draw_gradcheck},
    [PLOT_BOUNDARY] = {"boundary", PLOT_FOLLOWS,
        PLOT_NEEDS_NET | PLOT_NEEDS_2D,
        "decision regions of a 2-D problem, with the\n"
        "train, dev (triangles) and test points", plot_draw_regions},
    [PLOT_DATA] = {"data", 0, PLOT_NEEDS_2D,
        "the data (2-D problems): raw, centred, decorrelated\n"
        "and whitened, side by side", plot_draw_data},
    [PLOT_AUGMENT] = {"augment", 0, PLOT_NEEDS_IMAGES | PLOT_NEEDS_AUGMENT,
        "a few training images, each beside four draws\n"
        "of the augmentation", plot_draw_augment},
    [PLOT_LR] = {"lr", PLOT_FOLLOWS, 0,
        "the learning rate per update: the schedule and\n"
        "warm-up to come, the rates used, where training is",
        plot_draw_lr},
    [PLOT_COMPARE] = {"compare", 0, PLOT_NEEDS_COMPARE,
        "the curves of the last compare (what: its plot=)",
        plot_draw_compare},
    [PLOT_SEARCH] = {"search", 0, PLOT_NEEDS_SEARCH,
        "the trials of the last search", plot_draw_search},
    [PLOT_EWA] = {"ewa", 0, PLOT_NEEDS_EWA,
        "the averages of the last ewa, a colour per beta:\n"
        "corrected solid, uncorrected dashed", plot_draw_ewa},
};

const char *const *plot_kind_names(void)
{
    static const char *names[PLOT_NKINDS + 1];
    if (!names[0])
        for (int k = 0; k < PLOT_NKINDS; k++)
            names[k] = plot_kinds[k].name;
    return names;
}

const char *plot_not_ready(Session *s, PlotKind k)
{
    unsigned needs = plot_kinds[k].needs;
    const Experiments *e = s->exp;
    if ((needs & PLOT_NEEDS_2D) && !s->data)
        return "no data yet; try 'data circles'";
    if ((needs & PLOT_NEEDS_2D) && (nn_data_features(s->data) != 2 ||
                                    nn_data_task(s->data) != NN_TASK_CLASSIFY))
        return "needs 2-D classification data (circles, moons, spiral, xor, "
               "blobs, linear)";
    int w, h;
    if ((needs & PLOT_NEEDS_IMAGES) &&
        (!s->data || !nn_data_image_size(s->data, &w, &h)))
        return "needs images: data digits, fashion, mnist, or data load "
               "FILE image=WxH";
    if ((needs & PLOT_NEEDS_AUGMENT) && !nn_augment_on(&s->model->tr.aug))
        return "augmentation is off; try augment shift=0.5 rotate=15";
    if ((needs & PLOT_NEEDS_COMPARE) && !(e && e->nruns))
        return "nothing compared yet; try compare optim=gd,adam";
    if ((needs & PLOT_NEEDS_SEARCH) && !(e && e->ntrials))
        return "no search yet; try search lr=1e-4..1:log n=20";
    if ((needs & PLOT_NEEDS_EWA) && !(e && e->nbetas))
        return "no ewa yet; try ewa beta=0.9,0.98";
    if ((needs & PLOT_NEEDS_NET) && !s->net)
        return "no network yet; try 'net 2 10 5 1'";
    if ((needs & PLOT_NEEDS_GRADCHECK) && !s->model->gc_n)
        return "no gradient check yet; run gradcheck first";
    if ((needs & PLOT_NEEDS_FORWARD) && s->net->rows == 0)
        return "no forward pass yet; run forward (or train) first";
    if ((needs & PLOT_NEEDS_LOSS) && (s->net->loss == NN_LOSS_NONE ||
                                      !s->data ||
                                      nn_data_task(s->data) == NN_TASK_NONE))
        return "no gradients: these data have no labels, so there is no "
               "loss to differentiate (forward and plot acts show what the "
               "network does to them)";
    return NULL;
}

const char *plot_note(Session *s, PlotKind k)
{
    /* the gradients are drawn from the history of updates */
    if (k == PLOT_GRADS && s->model->tr.hist.n == 0)
        return "no gradients yet: no update has run.  step makes one (and "
               "shows its gradients), train or run many; this plot follows "
               "them";
    return NULL;
}
