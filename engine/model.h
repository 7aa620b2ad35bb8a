/*
 * model.h — model files: the network, its weights and the training
 * settings, in a text format a person can read.
 *
 *   nnlab-model 2                       version line
 *   inputs 2
 *   loss bce
 *   reg l2 0.01                         kind and λ
 *   optim adam 0.001 0.9 0.9 0.999 1e-08   kind lr beta beta1 beta2 eps
 *   rmsprop 0.9 0                       rmsprop's rho, bias correction 0|1
 *   batch 64                            0 = full batch
 *   decay inverse 1 1 0.5               kind rate every factor
 *   cyclic 0.001 0.01 100               low high half (updates)
 *   sgdr 10 2 0                         period (epochs) mult min_lr
 *   origin 0 0                          the schedule's: update, epoch
 *   warmup 0 iters 0 0 0                length unit from, origin update
 *                                       and epoch (length 0: none)
 *   clip off 1                          off|norm|value, threshold
 *   seed 1
 *   early 0 10                          on/off, patience
 *   guard 1
 *   layer 10 relu 0 1 0 he 0 1          units act act_arg keep bn init arg gain
 *   ...one line per layer...
 *   param W1 10 2                       name rows cols, then the values,
 *   0x1.2p-3 ...                        one row per line, as C99 hex floats
 *   running 1 10                        layer, units: then the mean line
 *   ...                                 and the variance line (bn layers)
 *   end
 *
 * Settings added since version 1 was first written keep the version
 * number: each appears only when in use, so a model that uses none of
 * them is written exactly as before and old files load unchanged.
 *
 *   loss huber 0.5                      Huber's δ after the name
 *   reg elastic 0.001 0.01              elastic net: λ1 (L1), then λ2 (L2)
 *   layer 10 prelu 0.25 1 0 he 0 1      ARG: the slope PReLU starts from
 *   layer 10 maxout 3 1 0 he 0 1        ARG: the pieces per unit, 2..16;
 *   param W1 30 2                       W and b then have 3·10 rows/cols
 *   param alpha1 1 10                   PReLU's learned slopes, after the
 *                                       layer's W and b (or γ and β)
 *
 * Two lines of what the network was trained on follow "guard", each
 * only when on, "augment" before "normalize":
 *
 *   augment 0.5 15 none 0 0             shift rotate flip noise zoom
 *                                       (the trainer's augmentation)
 *   normalize whiten 10 1e-05           the data's preprocessing: mode,
 *                                       K (pca, whiten: the inputs; else
 *                                       0), eps (whiten, zca; else 0)
 *
 * The normalize line records the choice, not the statistics fitted: the
 * caller fits it again on the data it loads the model for.
 *
 * Activations gelu and selu are names only.  A program older than these
 * settings refuses a file that uses one with "FILE:LINE: expected ...".
 *
 * Hex floats round-trip every double exactly, so predictions after a load
 * are bit-identical.  Saving writes a temporary file in the same directory
 * and renames it over the target, so a crash never leaves half a model.
 *
 * Reading is strict, in both versions: every line has exactly its words
 * and every number is a whole word ("reg l2 0-01", "batch 6-" and
 * "rmsprop 0.9 1x" are refused, not read as 0, 6 and 1), weights, PReLU
 * slopes and running means are finite, running variances (k of them per
 * unit of a maxout layer) finite and >= 0, the seed a whole number
 * 0..2^64-1.
 */
#ifndef NN_MODEL_H
#define NN_MODEL_H

#include <stdio.h>

#include "net.h"
#include "train.h"

/* Write net and tr's settings (its augmentation included) to path.  0 or
 * -1 with err.  A network holding NaN or Inf (it diverged) is refused,
 * since its file could not be loaded: nothing is written then. */
int nn_model_save(const char *path, const nn_net *net, const nn_trainer *tr,
                  nn_err *err);
/* The same, recording the input preprocessing too (as nn_data_get_prep
 * gives it; NULL or off: no line).  pca and whiten must keep as many
 * components as the network has inputs, and eps be >= 0: else -1, "not
 * saved: ...", and nothing written. */
int nn_model_save_prep(const char *path, const nn_net *net,
                       const nn_trainer *tr, const nn_prep *prep,
                       nn_err *err);

/* The same model text (with prep's line, as nn_model_save_prep) written
 * to an open stream, for a caller that makes the file itself (nnlab's
 * shell replaces files its own way).  `name`
 * names the file in messages.  A network holding NaN or Inf is refused
 * before anything is written; -1 also when the stream has an error after
 * writing (the caller still flushes and checks it: the stream's buffer
 * may hold the end of the model). */
int nn_model_write(FILE *f, const char *name, const nn_net *net,
                   const nn_trainer *tr, const nn_prep *prep, nn_err *err);

/* Version 1 files (without the rmsprop, cyclic, sgdr, origin, warmup and
 * clip lines) still load: those settings take their defaults, except that
 * an rmsprop file's rho is its beta2, the decay its RMSprop trained with.
 *
 * Every value is checked as the engine's checks do (nn_optim_check,
 * nn_sched_check, nn_warmup_check, nn_clip_check): a file that asks for
 * eps 0 with adam, or exp decay by a base above 1, is refused on the line
 * that holds it. */

/* Read a model.  On success returns a new network (the caller frees it)
 * and, if tr is non-NULL, sets tr's settings (optimizer, schedule and
 * warm-up with their origins, clipping, batch, seed, early stopping,
 * guard, augmentation (off without an augment line); not its state).  On
 * failure returns NULL, leaves tr untouched, and err says
 * "FILE:LINE: what was expected".  Polls the cancel flag (err.h) between
 * rows: "FILE:LINE: interrupted". */
nn_net *nn_model_load(const char *path, nn_trainer *tr, nn_err *err);
/* The same, and the preprocessing the file records into *prep (if
 * non-NULL; mode NN_NORM_OFF when it records none), set only on
 * success. */
nn_net *nn_model_load_prep(const char *path, nn_trainer *tr, nn_prep *prep,
                           nn_err *err);

#endif
