/*
 * model.h — model files: the network, its weights and the training
 * settings, in a text format a person can read.
 *
 *   nnlab-model 1                       version line
 *   inputs 2
 *   loss bce
 *   reg l2 0.01                         kind and λ
 *   optim adam 0.001 0.9 0.9 0.999 1e-08   kind lr beta beta1 beta2 eps
 *   batch 64                            0 = full batch
 *   decay inverse 1 1 0.5               kind rate every factor
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
 * Hex floats round-trip every double exactly, so predictions after a load
 * are bit-identical.  Saving writes a temporary file in the same directory
 * and renames it over the target, so a crash never leaves half a model.
 *
 * Reading is strict: every line has exactly its words and every number is
 * a whole word ("reg l2 0-01" and "batch 6-" are refused, not read as 0
 * and 6), weights and running means are finite, running variances finite
 * and >= 0, the seed a whole number 0..2^64-1.
 */
#ifndef NN_MODEL_H
#define NN_MODEL_H

#include "net.h"
#include "train.h"

/* Write net and tr's settings to path.  0 or -1 with err.  A network
 * holding NaN or Inf (it diverged) is refused, since its file could not be
 * loaded: nothing is written then. */
int nn_model_save(const char *path, const nn_net *net, const nn_trainer *tr,
                  nn_err *err);

/* Read a model.  On success returns a new network (the caller frees it)
 * and, if tr is non-NULL, sets tr's settings (optimizer, schedule, batch,
 * seed, early stopping, guard; not its state).  On failure returns NULL,
 * leaves tr untouched, and err says "FILE:LINE: what was expected".
 * Polls the cancel flag (err.h) between rows: "FILE:LINE: interrupted". */
nn_net *nn_model_load(const char *path, nn_trainer *tr, nn_err *err);

#endif
