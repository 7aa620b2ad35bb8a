/*
 * text.h — small things done to words: the closest of a list of names
 * ("did you mean"), and a list of names written out for a message.
 */
#ifndef NNLAB_TEXT_H
#define NNLAB_TEXT_H

#include <stddef.h>

/* Edit distance between a and b ignoring case: insertions, deletions,
 * substitutions and swaps of two neighbouring letters count one each
 * (`tarin` is one slip from `train`).  Words of 64 letters or more are
 * never close: 64 is returned. */
int text_edit_distance(const char *a, const char *b);

/* The name of `names` (NULL-terminated) closest to `word` by edit
 * distance, when close enough to be a slip for a word that long, or one
 * that `word` begins (two letters at least: "mom" for "momentum"); NULL
 * when none is.  Points into names. */
const char *text_did_you_mean(const char *word, const char *const *names);

/* "gd, momentum, nesterov, rmsprop or adam" into buf (cut to fit). */
void text_list(char *buf, size_t len, const char *const *names);

#endif
