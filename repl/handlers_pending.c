/*
 * handlers_pending.c — stubs for command handlers not written yet, so the
 * program links and `help` and completion are complete from the start.
 *
 * One line per handler: delete the line when the real cmd_x lands.
 * When the list is empty, delete this file.
 */
#include "cmd.h"
#include "handlers.h"

#define PENDING(name)                                                      \
    int cmd_##name(Session *s, int argc, char **argv)                      \
    {                                                                      \
        (void)argc;                                                        \
        return cmd_error(s, "%s: not available yet", argv[0]);             \
    }

PENDING(compare)
PENDING(search)
PENDING(ewa)
