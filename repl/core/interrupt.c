/* interrupt.c — the SIGINT flag (see interrupt.h). */
#include "interrupt.h"

#include <string.h>

#include "err.h"

volatile sig_atomic_t nnlab_interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    nnlab_interrupted = 1;
}

void interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    /* the engine's loaders, gradient check and evaluation look at it too */
    nn_set_cancel(&nnlab_interrupted);
}
