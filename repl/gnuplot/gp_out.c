/*
 * gp_out.c — gnuplot's output, with our marker lines taken out.
 *
 * gnuplot's stdout and stderr arrive through one pipe (`set print "-"`,
 * so printed text and errors keep their order).  Among them are our own
 * marker lines, "@@nnlab-...@@": "sync-N" says gnuplot has run everything
 * sent before it, "caps ..." lists its terminals.  They are taken out here,
 * also when a read cuts one in two, so the caller only ever sees gnuplot's
 * own text.
 */
#include "gp_internal.h"

#include <stdlib.h>
#include <string.h>

static void parse_caps(Gp *gp, const char *list, size_t n)
{
    char *s = strndup(list, n);
    if (!s)
        return;
    GpCaps *c = &gp->caps;
    c->known = 1;
    c->qt = strstr(s, " qt ") != NULL;
    c->wxt = strstr(s, " wxt ") != NULL;
    c->x11 = strstr(s, " x11 ") != NULL;
    c->pngcairo = strstr(s, " pngcairo ") != NULL;
    c->png = strstr(s, " png ") != NULL;
    c->svg = strstr(s, " svg ") != NULL;
    c->sixelgd = strstr(s, " sixelgd ") != NULL;
    free(s);
}

/* One "@@nnlab-PAYLOAD@@" line, payload without the prefix. */
static void handle_marker(Gp *gp, const char *p, size_t n)
{
    if (n > 5 && memcmp(p, "sync-", 5) == 0) {
        unsigned long v = strtoul(p + 5, NULL, 10);
        if (v > gp->sync_seen)
            gp->sync_seen = (unsigned)v;
    } else if (n >= 5 && memcmp(p, "caps ", 5) == 0) {
        parse_caps(gp, p + 4, n - 4);   /* keep the leading space */
    }
}

/* Length of the longest tail of s that begins the marker. */
static size_t partial_mark(const char *s, size_t n)
{
    for (size_t k = n < GP_MARK_LEN - 1 ? n : GP_MARK_LEN - 1; k > 0; k--)
        if (memcmp(s + n - k, GP_MARK, k) == 0)
            return k;
    return 0;
}

/* Keep text for the caller.  Form feeds go: the dumb terminal starts each
 * picture with one, and some terminals clear the screen on it. */
static void hold_text(Gp *gp, const char *s, size_t n)
{
    const char *end = s + n;
    while (s < end) {
        const char *ff = memchr(s, '\f', (size_t)(end - s));
        size_t k = ff ? (size_t)(ff - s) : (size_t)(end - s);
        buf_add(&gp->held, s, k);
        s += k + (ff ? 1 : 0);
    }
}

/* Move gp->raw into gp->held, taking our marker lines out.  A marker still
 * arriving is kept in raw, unless final (gnuplot is gone). */
void gp_filter_output(Gp *gp, int final)
{
    const char *s = gp->raw.s;
    size_t n = gp->raw.len, i = 0;
    while (i < n) {
        const char *m = memmem(s + i, n - i, GP_MARK, GP_MARK_LEN);
        if (!m) {
            size_t keep = final ? 0 : partial_mark(s + i, n - i);
            hold_text(gp, s + i, n - i - keep);
            i = n - keep;
            break;
        }
        size_t mi = (size_t)(m - s);
        hold_text(gp, s + i, mi - i);
        const char *body = m + GP_MARK_LEN;
        const char *end = memmem(body, n - (mi + GP_MARK_LEN), "@@\n", 3);
        if (!end) {
            if (!final && n - mi < GP_MARK_MAX) {
                i = mi;   /* wait for the rest */
                break;
            }
            hold_text(gp, m, GP_MARK_LEN);   /* not ours after all */
            i = mi + GP_MARK_LEN;
            continue;
        }
        handle_marker(gp, body, (size_t)(end - body));
        i = (size_t)(end - s) + 3;
    }
    if (i > 0) {
        memmove(gp->raw.s, gp->raw.s + i, n - i);
        gp->raw.len = n - i;
        gp->raw.s[gp->raw.len] = '\0';
    }
}
