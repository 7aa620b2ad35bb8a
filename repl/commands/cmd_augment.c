/*
 * cmd_augment.c — data augmentation: random shifts, rotations, flips,
 * zooms and noise applied to the training images as each batch is made.
 *
 * The setting is the trainer's (tr->aug, a training setting like the
 * optimizer: copied into compare and search trials, saved in model
 * files); the engine draws the transformations afresh for every example
 * of every training batch from a stream seeded by `seed`, and never
 * touches dev, test or any evaluation.  `plot augment` shows what it
 * does to a few training images.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "model.h"
#include "out.h"

/* What happens to each training example, one clause per transformation. */
static void augment_explain(Session *s, const nn_augment *a)
{
    char text[160];
    model_augment_text(a, text, sizeof text);
    out_printf(s, "augment %s: each example of every training batch is", text);
    const char *sep = "";
    if (a->shift > 0) {
        out_printf(s, " moved by up to %g pixel%s in x and y", a->shift,
                   a->shift == 1 ? "" : "s");
        sep = ",";
    }
    if (a->rotate > 0) {
        out_printf(s, "%s turned by up to %g degrees", sep, a->rotate);
        sep = ",";
    }
    if (a->zoom > 1) {
        out_printf(s, "%s scaled by 1/%g to %g", sep, a->zoom, a->zoom);
        sep = ",";
    }
    if (a->flip != NN_FLIP_NONE) {
        out_printf(s, "%s %s half the time", sep,
                   a->flip == NN_FLIP_H ? "mirrored left to right"
                                        : "turned upside down");
        sep = ",";
    }
    if (a->noise > 0)
        out_printf(s, "%s given Gaussian noise of std %g of the value range",
                   sep, a->noise);
    out_printf(s, ", drawn afresh each time (seed %llu); dev, test and eval "
               "see the examples as they are\n",
               (unsigned long long)model_seed(s));
}

static int cmd_augment(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    if (!m)
        return CMD_ERR;
    char text[160];
    if (argc == 1) {
        model_augment_text(&m->tr.aug, text, sizeof text);
        out_printf(s, "augment %s\n", text);
        return CMD_OK;
    }
    nn_augment a = { 0 };
    int flip = NN_FLIP_NONE;
    char *pos[1];
    const OptSpec spec[] = {
        { "shift", 'd', &a.shift, 0, NN_AUG_MAX_SHIFT, NULL, NULL },
        { "rotate", 'd', &a.rotate, 0, NN_AUG_MAX_ROTATE, NULL, NULL },
        { "flip", 'e', &flip, 0, 0, nn_flip_names, NULL },
        { "noise", 'd', &a.noise, 0, NN_AUG_MAX_NOISE, NULL, NULL },
        { "zoom", 'd', &a.zoom, 1, NN_AUG_MAX_ZOOM, NULL, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    int np = args_parse(s, argc, argv, 1, spec, pos, 1);
    if (np < 0)
        return CMD_ERR;
    if (np == 1 && strcmp(pos[0], "off"))
        return cmd_error(s, "expected off or key=value settings, e.g. "
                         "augment shift=1 rotate=10, not '%s'", pos[0]);
    if (np == 1 && argc > 2)
        return cmd_error(s, "off takes no settings");
    a.flip = (nn_flip)flip;
    if (a.zoom == 1)
        a.zoom = 0; /* no zoom, as the engine writes it */
    nn_err err;
    if (nn_augment_check(&a, s->data, &err))
        return cmd_error(s, "%s", err.msg);
    m->tr.aug = a;
    if (!nn_augment_on(&a)) {
        out_printf(s, "augment off: training sees the examples as they "
                   "are\n");
        return CMD_OK;
    }
    augment_explain(s, &a);
    if (!s->data)
        out_printf(s, "  (checked against the data when training starts: "
                   "all but noise need images)\n");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_augment_rows[] = {
{
    .name = "augment", .group = "Data", .fn = cmd_augment,
    .usage = "augment [shift=PIXELS] [rotate=DEGREES] [flip=h|v|none] "
             "[noise=STD] [zoom=F] | off",
    .summary = "transform the training images afresh for every batch",
    .help =
        "shift=0              move each image by up to this many pixels in\n"
        "                     x and y (fractions interpolated)\n"
        "rotate=0             turn it by up to this many degrees\n"
        "flip=none            h: mirror left to right, v: upside down,\n"
        "                     each image with probability 1/2\n"
        "noise=0              add Gaussian noise, std a fraction of the\n"
        "                     value range (works on any data)\n"
        "zoom=1               scale by a factor from 1/F to F\n"
        "off                  no augmentation (the default)\n"
        "Settings not named are off.  Only training batches are changed,\n"
        "drawn afresh for every batch from the seed; dev, test and eval see\n"
        "the images as they are.  A network that sees each digit a little\n"
        "shifted and turned learns that those changes do not matter: a\n"
        "small training set cannot teach it otherwise.  Shifts, rotations,\n"
        "flips and zooms need images (digits, fashion, mnist, data load\n"
        "FILE image=WxH).  plot augment shows a few examples.  Alone,\n"
        "augment shows what is on.",
    .example = "augment shift=0.5 rotate=15",
    .words = CMD_WORDS("off"),
    .keys = CMD_WORDS("shift=", "rotate=", "flip=@flips", "noise=", "zoom="),
},
{0},
};
