/*
 * complete.c — Tab completion, driven by the command table.
 *
 * Every command, subcommand, option key, enumerated value, lesson name and
 * file name completes, and all of it comes from the registered rows of the
 * command table (their `words` and `keys`; the little language of those
 * fields is described in cmd.h) and the word lists registered with them
 * ("@acts", "@lessons").  Nothing here knows a command by name.
 *
 * Readline splits words at spaces, ';', '=' and ',', so after "act=" or
 * "optim=gd," the word being completed is the value alone; looking back
 * from it tells which command, which argument position and which key it
 * belongs to.
 *
 * Readline's completion callbacks carry no user pointer, so the list
 * being offered is kept in a file-level variable, rebuilt on every Tab.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "cmd.h"
#include "complete.h"

enum { WORD_MAX = 128 };

/* Where the word being completed stands on the line. */
typedef struct Context {
    char cmd[WORD_MAX];   /* the command of this ';' segment */
    char prev[WORD_MAX];  /* the word before the current one */
    char key[WORD_MAX];   /* completing the value of key= (or "") */
    int argpos;           /* 0: the command itself, 1: first argument... */
    int in_comment;
    const char *segment;  /* start of this command's text on the line */
    int seglen;           /* up to the word being completed */
} Context;

/* What one Tab offers: candidates, then (maybe) file names. */
static struct {
    char **cands;
    int n, cap, next;
    int files;            /* go on with file names after the candidates */
    int files_started;
} offer;

/* ------------------------------------------------------------------ */
/* Reading the line before the cursor                                   */
/* ------------------------------------------------------------------ */

static void copy_word(char *dst, const char *src, size_t n)
{
    if (n >= WORD_MAX)
        n = WORD_MAX - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Split line[0..end) into the segment after the last ';' (outside quotes)
 * and find the command, argument position and key of the word at end. */
static void find_context(const char *line, int end, Context *c)
{
    memset(c, 0, sizeof *c);
    int quoted = 0, seg = 0;
    for (int i = 0; i < end; i++) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (!quoted && line[i] == ';')
            seg = i + 1;
        else if (!quoted && line[i] == '#')
            c->in_comment = 1;
    }
    c->segment = line + seg;
    c->seglen = end - seg;

    /* Words of the segment; the last one may be unfinished. */
    const char *w[3] = {0};  /* start of: the word before last, last, cmd */
    int wl[3] = {0}, nwords = 0, i = seg;
    quoted = 0;
    while (i < end) {
        while (i < end && isspace((unsigned char)line[i]))
            i++;
        if (i >= end)
            break;
        int start = i;
        while (i < end && (quoted || !isspace((unsigned char)line[i]))) {
            if (line[i] == '"')
                quoted = !quoted;
            i++;
        }
        if (nwords == 0)
            copy_word(c->cmd, line + start, (size_t)(i - start));
        w[0] = w[1];
        wl[0] = wl[1];
        w[1] = line + start;
        wl[1] = i - start;
        nwords++;
    }
    int ended = end == seg || isspace((unsigned char)line[end - 1]);
    if (ended) {
        c->argpos = nwords;
        if (nwords > 0)
            copy_word(c->prev, w[1], (size_t)wl[1]);
        return;
    }
    c->argpos = nwords - 1;
    if (nwords > 1)
        copy_word(c->prev, w[0], (size_t)wl[0]);
    const char *eq = memchr(w[1], '=', (size_t)wl[1]);
    if (eq && c->argpos > 0)
        copy_word(c->key, w[1], (size_t)(eq - w[1]));
}

/* ------------------------------------------------------------------ */
/* Gathering candidates                                                 */
/* ------------------------------------------------------------------ */

static void offer_clear(void)
{
    for (int i = 0; i < offer.n; i++)
        free(offer.cands[i]);
    offer.n = offer.next = 0;
    offer.files = offer.files_started = 0;
}

/* Offer word[0..len) if it starts with text. */
static void offer_word(const char *text, const char *word, size_t len)
{
    size_t tl = strlen(text);
    if (len < tl || strncmp(word, text, tl) != 0)
        return;
    if (offer.n == offer.cap) {
        int cap = offer.cap ? offer.cap * 2 : 32;
        char **c = realloc(offer.cands, (size_t)cap * sizeof *c);
        if (!c)
            return;
        offer.cands = c;
        offer.cap = cap;
    }
    char *copy = strndup(word, len);
    if (copy)
        offer.cands[offer.n++] = copy;
}

/* The session whose table completes (readline's callbacks carry no
 * pointer of their own). */
static Session *completing;

static void offer_listed(void *text, const char *word)
{
    offer_word(text, word, strlen(word));
}

/* Offer a registered word list, "@name" ("@files": file names). */
static void offer_list(const char *text, const char *at, size_t n)
{
    char name[WORD_MAX];
    copy_word(name, at + 1, n - 1);
    if (strcmp(name, "files") == 0)
        offer.files = 1;
    else if (completing)
        cmd_list_words(completing, name, offer_listed, (void *)text);
}

/* Offer each of "a|b|@list". */
static void offer_values(const char *text, const char *values)
{
    while (values && *values) {
        size_t n = strcspn(values, "|");
        if (values[0] == '@')
            offer_list(text, values, n);
        else
            offer_word(text, values, n);
        values += n + (values[n] == '|');
    }
}

/* Has this segment of the line already got key= ? */
static int key_given(const Context *c, const char *key, size_t keylen)
{
    const char *p = c->segment, *end = c->segment + c->seglen;
    while (p < end) {
        while (p < end && isspace((unsigned char)*p))
            p++;
        if ((size_t)(end - p) > keylen && strncmp(p, key, keylen) == 0 &&
            p[keylen] == '=')
            return 1;
        while (p < end && !isspace((unsigned char)*p))
            p++;
    }
    return 0;
}

/* The values after "key=" (or after a ',' in its value). */
static void offer_key_values(const Command *cmd, const Context *c,
                             const char *text)
{
    for (int k = 0; cmd->keys && cmd->keys[k]; k++) {
        const char *eq = strchr(cmd->keys[k], '=');
        if (eq && (size_t)(eq - cmd->keys[k]) == strlen(c->key) &&
            strncmp(cmd->keys[k], c->key, strlen(c->key)) == 0)
            offer_values(text, eq + 1);
    }
}

/* The `words` rules for this position.  Returns 1 when a rule claimed
 * the position ("term:..." after "term", "2:..."), so nothing else fits. */
static int offer_words(const Command *cmd, const Context *c, const char *text)
{
    int claimed = 0;
    for (int i = 0; cmd->words && cmd->words[i]; i++) {
        const char *w = cmd->words[i], *colon = strchr(w, ':');
        size_t wl = colon ? (size_t)(colon - w) : strlen(w);
        if (colon && wl == 1 && isdigit((unsigned char)w[0])) {
            if (c->argpos == w[0] - '0') {
                offer_values(text, colon + 1);
                claimed = 1;
            }
        } else if (c->argpos == 1 && w[0] == '@') {
            offer_list(text, w, wl);
        } else if (c->argpos == 1) {
            offer_word(text, w, wl);
        } else if (colon && c->argpos == 2 && strlen(c->prev) == wl &&
                   strncmp(c->prev, w, wl) == 0) {
            offer_values(text, colon + 1);
            claimed = 1;
        }
    }
    return claimed;
}

static void offer_keys(const Command *cmd, const Context *c, const char *text)
{
    for (int k = 0; cmd->keys && cmd->keys[k]; k++) {
        const char *eq = strchr(cmd->keys[k], '=');
        size_t kl = eq ? (size_t)(eq - cmd->keys[k]) : strlen(cmd->keys[k]);
        if (!key_given(c, cmd->keys[k], kl))
            offer_word(text, cmd->keys[k], kl + 1);
    }
}

static void gather(const Context *c, const char *text)
{
    if (c->argpos == 0) {
        offer_values(text, "@commands");
        return;
    }
    const Command *cmd = cmd_find(completing, c->cmd);
    if (!cmd)
        return;
    if (c->key[0]) {
        offer_key_values(cmd, c, text);
        return;
    }
    if (offer_words(cmd, c, text))
        return;
    offer_keys(cmd, c, text);
}

/* ------------------------------------------------------------------ */
/* Readline's side                                                      */
/* ------------------------------------------------------------------ */

static char *generate(const char *text, int state)
{
    (void)state;
    if (offer.next < offer.n) {
        char *c = offer.cands[offer.next];
        offer.cands[offer.next++] = NULL;
        return c;
    }
    if (!offer.files)
        return NULL;
    char *f = rl_filename_completion_function(text, offer.files_started);
    offer.files_started = 1;
    return f;
}

static char **attempt(const char *text, int start, int end)
{
    (void)end;
    Context c;
    rl_attempted_completion_over = 1; /* no file names unless offered */
    find_context(rl_line_buffer, start, &c);
    if (c.in_comment)
        return NULL;
    offer_clear();
    gather(&c, text);
    if (offer.files) {
        rl_filename_completion_desired = 1;
        rl_filename_quoting_desired = 1;
    }
    char **matches = rl_completion_matches(text, generate);
    offer_clear();
    if (matches && !matches[1]) {
        size_t n = strlen(matches[0]);
        if (n > 0 && matches[0][n - 1] == '=')
            rl_completion_suppress_append = 1; /* "lr=" then the value */
    }
    return matches;
}

/* A function that offers nothing, for readline's default. */
static char *no_default(const char *text, int state)
{
    (void)text;
    (void)state;
    return NULL;
}

void complete_install(Session *s)
{
    completing = s;
    rl_attempted_completion_function = attempt;
    rl_completion_entry_function = no_default;
    rl_completer_word_break_characters = " \t\n;=,";
    rl_completer_quote_characters = "\"";
    rl_filename_quote_characters = " \t\n;#=,\"";
}

void complete_free(void)
{
    offer_clear();
    free(offer.cands);
    offer.cands = NULL;
    offer.cap = 0;
    completing = NULL;
}
