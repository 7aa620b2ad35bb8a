/*
 * layer_bn.h — `layer set POS gamma=... beta=...` (layer_bn.c), for
 * cmd_net.c: batch norm's scale and shift typed by hand, one value for
 * every unit or a comma list with one per unit.
 */
#ifndef NNLAB_LAYER_BN_H
#define NNLAB_LAYER_BN_H

#include "nnlab.h"
#include "session.h"

/* The values as typed (NULL: not given). */
typedef struct BnValues {
    double *gamma, *beta;
    int ngamma, nbeta;
} BnValues;

/* Read gamma= and beta= (either may be NULL) into v.  0, or -1 after
 * reporting a bad value; v is then empty. */
int bn_values_parse(Session *s, const char *gamma, const char *beta,
                    BnValues *v);

/* Check v against layer pos (1-based) as it will be: `bn` whether it will
 * have batch norm, `cols` the pre-activations it will have (units, or
 * units times maxout's pieces).  0, or -1 reported. */
int bn_values_check(Session *s, const BnValues *v, int pos, int bn,
                    int cols);

/* Write v into layer pos's gamma and beta (checked before) and say what
 * they are now. */
void bn_values_apply(Session *s, nn_net *net, int pos, const BnValues *v);

void bn_values_free(BnValues *v);

#endif
