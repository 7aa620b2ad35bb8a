/*
 * inspect.h — the view of one layer's last forward pass that `forward
 * show=L` prints (forward_view.c), for cmd_inspect.c.
 */
#ifndef NNLAB_INSPECT_H
#define NNLAB_INSPECT_H

#include "session.h"

/* Layer `layer` (1-based) of the session's network as its last forward
 * pass left it: for the first `rows` examples and `units` units, z (and
 * batch norm's z~), a = g(z), and in a training pass with dropout the
 * mask d, a*d and a*d/keep; for a batch norm layer, each unit's mean and
 * variance over the pass and the gamma and beta that would give z back. */
void forward_view(Session *s, int layer, int rows, int units);

#endif
