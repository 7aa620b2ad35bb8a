/*
 * lesson_internal.h — what the files of the lesson runner share: the
 * running lesson's state and the functions one file gives another.  Not
 * for other modules (lesson.h is the module's contract).
 *
 *   lesson.c         the walk through a section, the student's lines and
 *                    jobs, next/back/again/check/end, start and close
 *   lesson_answer.c  questions: their choices, the student's answer
 *   lesson_say.c     how the runner prints, and its prompt
 *   lesson_auto.c    the unattended run (--auto, --pace)
 *   lesson_list.c    lessons by name, and the `lesson` list
 */
#ifndef NNLAB_LESSON_INTERNAL_H
#define NNLAB_LESSON_INTERNAL_H

#include "lesson.h"
#include "model.h"

struct LessonRun {
    Lesson *L;
    int sec;              /* current section, 0-based */
    int pos;              /* next item of the section to take */
    int pending;          /* item index of the command on the prompt, or -1 */
    int waiting_job;      /* a lesson command started training: wait for it */
    int failed_here;      /* checks failed so far in this walk of the section */
    const char *offer;    /* text on the prompt (points into L), or NULL */
    unsigned char *done;  /* per section */
    int question;         /* item index of the question waiting for its
                             answer, or -1 */
    char *typed;          /* owned: "answer ..." made of a typed line */
    ModelStash before;    /* the student's work, put aside */
};

/* lesson_say.c: the check mark or cross (UTF-8 when the locale has it);
 * text on the prompt and the prompt itself (when there is a terminal). */
const char *lesson_mark(int pass);
void lesson_offer_text(Session *s, const char *text);
void lesson_set_prompt_text(Session *s, const char *prompt);

/* lesson_answer.c: print question q with its choices; ask question qi of
 * the current section (print it, and when it has an answer, wait for it:
 * 1, else 0); judge the student's answer to the waiting question (prints
 * the verdict and explanation; the question no longer waits; -1 when none
 * waits); show the waiting question's answer and stop waiting (when the
 * student moves on without answering); the line to run when free text is
 * typed while a question waits ("answer TEXT", kept in run->typed), or
 * NULL when the line is a command; the answer and explanation of q as
 * --auto shows them. */
void lesson_question_print(Session *s, const LessonItem *q);
int lesson_question_ask(Session *s, int qi);
int lesson_question_judge(Session *s, const char *typed);
void lesson_question_reveal(Session *s);
const char *lesson_question_typed(Session *s, const char *line);
void lesson_question_show_answer(Session *s, const LessonItem *q);

#endif
