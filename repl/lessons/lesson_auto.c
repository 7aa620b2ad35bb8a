/*
 * lesson_auto.c — `nnlab --lesson NAME --auto`: a whole lesson run with no
 * one at the keyboard, as the tests do and as a teacher can on a
 * projector.  Every command runs to its end, every check is judged, every
 * question is shown with its answer.  With --pace the run waits between
 * steps (seconds, or until Enter), so a class can read along.  The
 * student's own work is put aside for the run and comes back after it.
 */
#include "lesson_internal.h"

#include <stdio.h>
#include <time.h>

#include "cmd.h"
#include "interrupt.h"
#include "job.h"
#include "out.h"

/* --pace: a pause between two steps, cut short by Ctrl-C. */
static void pause_step(Session *s)
{
    if (s->lesson_pace < 0) {
        out_printf(s, "-- Enter goes on --");
        fflush(s->out);
        int c;
        while ((c = getchar()) != EOF && c != '\n' && !nnlab_interrupted)
            ;
        return;
    }
    for (double left = s->lesson_pace; left > 0 && !nnlab_interrupted;
         left -= 0.05) {
        fflush(s->out);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Run one command as the student would, training to its end. */
static int auto_command(Session *s, const char *cmd)
{
    out_printf(s, "nnlab> %s\n", cmd);
    int st = cmd_run_line(s, cmd);
    if (s->job.active) {
        int jst = job_run_to_end(s);
        if (st == CMD_OK)
            st = jst;
    }
    return st;
}

int lesson_run_auto(Session *s, const char *name, int only)
{
    Lesson *L = lesson_load_named(s, name);
    if (!L)
        return 1;
    if (only < 0 || only > L->nsections) {
        cmd_error(s, "%s has sections 1 to %d, got %d", L->name, L->nsections,
                  only);
        lesson_free(L);
        return 1;
    }
    int saved_auto = s->lesson_auto;
    s->lesson_auto = 1;
    ModelStash before;
    model_stash(s, &before);
    int ncmd = 0, cmd_failed = 0, nchk = 0, chk_failed = 0, stop = 0;
    out_printf(s, "%s (lesson %s)\n", L->title, L->name);
    if (L->summary[0])
        out_printf(s, "%s\n", L->summary);
    for (int k = only ? only - 1 : 0; k < (only ? only : L->nsections) &&
                                      !stop; k++) {
        LessonSection *sec = &L->sections[k];
        out_printf(s, "\n== %d/%d %s\n", k + 1, L->nsections, sec->title);
        for (int i = 0; i < sec->nitems && !stop; i++) {
            LessonItem *it = &sec->items[i];
            switch (it->kind) {
            case LESSON_PROSE:
                lesson_print_lines(s, "", "", it->text);
                break;
            case LESSON_QUESTION:
                lesson_question_print(s, it);
                lesson_question_show_answer(s, it);
                break;
            case LESSON_COMMAND: {
                int failures = s->failures;
                int st = auto_command(s, it->text);
                ncmd++;
                /* a command written ">!" fails on purpose: its failing is
                 * what the lesson shows, and not failing is the error; quit
                 * (from a sourced script: lesson files cannot say it) ends
                 * the run early and is no failed command */
                cmd_failed += it->expect_fail ? st != CMD_ERR : st == CMD_ERR;
                if (it->expect_fail && st == CMD_ERR)
                    s->failures = failures;
                stop = st == CMD_QUIT || s->want_quit || nnlab_interrupted;
                break;
            }
            case LESSON_CHECK:
                nchk++;
                chk_failed += !lesson_eval_print(s, it->expr, it->explain);
                break;
            }
            if (s->lesson_pace != 0 && !stop && !nnlab_interrupted)
                pause_step(s);
        }
    }
    model_unstash(s, &before);
    out_printf(s, "\nlesson %s: ", L->name);
    if (stop)
        out_printf(s, "stopped early%s; ", s->want_quit ? " by quit" : "");
    if (cmd_failed || chk_failed)
        out_printf(s, "%d of %d checks failed, %d of %d commands failed\n",
                   chk_failed, nchk, cmd_failed, ncmd);
    else
        out_printf(s, "%d commands and %d checks, all passed\n", ncmd, nchk);
    s->lesson_auto = saved_auto;
    lesson_free(L);
    return (cmd_failed || chk_failed || stop) ? 1 : 0;
}
