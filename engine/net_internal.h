/*
 * net_internal.h — the layer pieces net.c builds networks from
 * (net_layer.c).  Not part of the engine's interface.
 */
#ifndef NN_NET_INTERNAL_H
#define NN_NET_INTERNAL_H

#include "net.h"

/* The settings of a fresh layer: act with arg, keep 1, He init. */
void nn_layer_defaults(nn_layer *l, nn_act act, double arg);

/* The number of maxout pieces act with arg gives (1 for the others). */
int nn_layer_pieces_of(nn_act act, double arg);

/* 0 when act with arg may be a hidden layer's (output 0) or the output
 * layer's (output 1); else -1 and err says why. */
int nn_layer_check_act(nn_act act, double arg, int output, nn_err *err);

/* Allocate the parameters of a layer whose settings (pieces too) are
 * already filled; -1 when out of memory (free with nn_layer_free). */
int nn_layer_alloc(nn_layer *l, int in, int out);

/* (Re)allocate the forward and backward caches for rows examples. */
int nn_layer_caches_alloc(nn_layer *l, int rows);

void nn_layer_caches_free(nn_layer *l);
void nn_layer_free(nn_layer *l);

/* A new list of the parameter tensors of layers L[0..nl), numbering the
 * layers on the way; NULL when out of memory. */
nn_param **nn_layer_params_of(nn_layer *L, int nl, int *count);

/* Rebuild net->params after the architecture, bn or a PReLU changed. */
int nn_net_index_params(nn_net *net);

#endif
