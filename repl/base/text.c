/*
 * text.c — "did you mean" and lists of names (see text.h).
 *
 * A student who types `optim adm` or `tarin` should be offered the word
 * meant.  The edit distance counts a swap of two neighbouring letters as
 * one edit, since that is the commonest slip of all, and how many edits
 * still count as a slip grows with the word's length.
 */
#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int text_edit_distance(const char *a, const char *b)
{
    enum { MAX = 64 };
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la >= MAX || lb >= MAX)
        return MAX;
    int d[MAX][MAX];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++) {
        for (int j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]);
            int cb = tolower((unsigned char)b[j - 1]);
            int best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* How many edits still count as a slip for a word this long. */
static int slip_allowance(size_t len)
{
    return len <= 2 ? 0 : len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

const char *text_did_you_mean(const char *word, const char *const *names)
{
    size_t len = strlen(word);
    if (len == 0 || !names)
        return NULL;
    const char *best = NULL;
    int best_d = slip_allowance(len) + 1;
    for (int i = 0; names[i]; i++) {
        int d = text_edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    if (best)
        return best;
    for (int i = 0; names[i] && len >= 2; i++)
        if (strncasecmp(word, names[i], len) == 0)
            return names[i];
    return NULL;
}

void text_list(char *buf, size_t len, const char *const *names)
{
    size_t used = 0;
    int n = 0;
    while (names[n])
        n++;
    if (len == 0)
        return;
    buf[0] = '\0';
    for (int i = 0; i < n && used < len; i++) {
        const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
        int k = snprintf(buf + used, len - used, "%s%s", sep, names[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}
