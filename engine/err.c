/* err.c — the one place error messages are formatted, and the
 * cancellation flag the long loops poll (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int nn_fail(nn_err *e, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void nn_err_clear(nn_err *e)
{
    if (e)
        e->msg[0] = '\0';
}

static const volatile sig_atomic_t *cancel_flag;

void nn_set_cancel(const volatile sig_atomic_t *flag)
{
    cancel_flag = flag;
}

int nn_cancelled(void)
{
    return cancel_flag && *cancel_flag;
}
