/* err.c — the one place error messages are formatted (see err.h). */
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
