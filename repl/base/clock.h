/*
 * clock.h — the one clock the program measures time with: seconds on
 * CLOCK_MONOTONIC, which never jumps when the wall clock is set.
 */
#ifndef NNLAB_CLOCK_H
#define NNLAB_CLOCK_H

/* Seconds since an arbitrary start (monotonic). */
double clock_now(void);

/* Whole milliseconds until `deadline` (a clock_now() time), rounded up;
 * 0 once it has passed.  For poll() timeouts. */
int clock_ms_left(double deadline);

#endif
