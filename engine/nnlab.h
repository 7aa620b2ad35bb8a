/*
 * nnlab.h — libnnlab, the numerical core of nnlab, in one include.
 *
 *   err.h       how failures are reported (the engine never prints)
 *   mat.h       matrices and the one BLAS call
 *   rng.h       seeded random streams
 *   act.h       activations          loss.h    losses
 *   net.h       networks: layers, passes, batch norm, dropout, penalties
 *   optim.h     optimizers and gradient clipping
 *   schedule.h  learning-rate schedules and the warm-up
 *   train.h     the trainer, its history, early stopping, the guard
 *   gradcheck.h numerical gradient checks
 *   stats.h     per-layer statistics
 *   data.h      data sets, images, splits, normalization, PCA, whitening
 *   augment.h   data augmentation of training images
 *   ensemble.h  ensembles: snapshots of networks, predictions averaged
 *   eig.h       symmetric eigen-decomposition (the one LAPACK call)
 *   model.h     model files
 *   bayes.h     Bayesian search: a Gaussian process, expected improvement
 *   halving.h   successive halving's rungs
 */
#ifndef NNLAB_H
#define NNLAB_H

#include "act.h"
#include "augment.h"
#include "bayes.h"
#include "data.h"
#include "eig.h"
#include "ensemble.h"
#include "err.h"
#include "gradcheck.h"
#include "halving.h"
#include "loss.h"
#include "mat.h"
#include "model.h"
#include "net.h"
#include "optim.h"
#include "rng.h"
#include "schedule.h"
#include "stats.h"
#include "train.h"


#endif
