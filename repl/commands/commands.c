/*
 * commands.c — every command group registered in the order of a course
 * (that is the order `help` lists them in), and the completion word lists
 * that come from the engine's own name arrays, so a new activation or
 * optimizer completes without a word changed here.
 *
 * Writing a row (in the cmd_*.c file of its handler):
 *   usage    the command's forms, as typed; [optional], A|B alternatives
 *   summary  one line for the listing, lower case, no full stop
 *   help     the options with their defaults, one per line, then a few
 *            lines on what the command teaches; lines of at most 76
 *            characters (help indents them by 2)
 *   example  one line that runs as it stands
 *   words, keys  what Tab completes (the little language is in cmd.h)
 *   flags    CMD_IDLE when the command must wait for training to pause
 * The defaults quoted in help are the engine's (nn_trainer_init,
 * nn_optim_defaults, nn_gen_opts): when one changes, change its help too.
 */
#include "commands.h"

#include <string.h>

#include "lesson.h"
#include "nnlab.h"
#include "plot.h"

static void add_all(const char *const *names, const char *skip,
                    void (*add)(void *ctx, const char *w), void *ctx)
{
    for (int i = 0; names[i]; i++)
        if (!skip || strcmp(names[i], skip) != 0)
            add(ctx, names[i]);
}

#define ENGINE_WORDS(fn, names, skip)                                      \
    static void fn(Session *s, void (*add)(void *ctx, const char *w),     \
                   void *ctx)                                              \
    {                                                                      \
        (void)s;                                                           \
        add_all(names, skip, add, ctx);                                    \
    }

ENGINE_WORDS(gens, nn_gen_names, NULL)
ENGINE_WORDS(acts, nn_act_names, NULL)
ENGINE_WORDS(inits, nn_init_names, NULL)
ENGINE_WORDS(regs, nn_reg_names, NULL)
ENGINE_WORDS(optims, nn_optim_names, NULL)
ENGINE_WORDS(scheds, nn_sched_names, NULL)
ENGINE_WORDS(losses, nn_loss_names, "none")
ENGINE_WORDS(clips, nn_clip_names, NULL)
ENGINE_WORDS(units, nn_unit_names, NULL)
ENGINE_WORDS(flips, nn_flip_names, NULL)

/* normalize's modes: the engine's names, and "on" for the z-score. */
static void norms(Session *s, void (*add)(void *ctx, const char *w),
                  void *ctx)
{
    (void)s;
    add(ctx, "on");
    add_all(nn_norm_names, NULL, add, ctx);
}

/* dW1 db1 dgamma2 ...: the gradients of the session's network. */
static void params(Session *s, void (*add)(void *ctx, const char *w),
                   void *ctx)
{
    const nn_net *net = s->net;
    for (int i = 0; net && i < net->n_params; i++) {
        char name[24] = "d";
        nn_param_name(net->params[i], name + 1, (int)sizeof name - 1);
        add(ctx, name);
    }
}

int commands_register(Session *s)
{
    static const struct {
        const char *name;
        void (*list)(Session *, void (*)(void *, const char *), void *);
    } words[] = {
        {"gens", gens},     {"acts", acts},     {"inits", inits},
        {"regs", regs},     {"optims", optims}, {"scheds", scheds},
        {"losses", losses}, {"params", params}, {"clips", clips},
        {"units", units},   {"norms", norms},   {"flips", flips},
    };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (cmd_add_words(s, words[i].name, words[i].list) < 0)
            return -1;
    const Command *const groups[] = {
        cmd_data_rows,  cmd_prep_rows,  cmd_augment_rows, cmd_net_rows,
        cmd_layer_rows, cmd_hyper_rows, cmd_optim_rows, cmd_sched_rows,
        cmd_seed_rows,  cmd_train_rows, cmd_eval_rows,  cmd_speed_rows,
        cmd_stop_rows,
        cmd_gradcheck_rows, cmd_inspect_rows, cmd_calc_rows,
    };
    for (size_t i = 0; i < sizeof groups / sizeof *groups; i++)
        if (cmd_register(s, groups[i]) < 0)
            return -1;
    if (plot_register(s) < 0 || cmd_register(s, cmd_compare_rows) < 0 ||
        cmd_register(s, cmd_search_rows) < 0 || cmd_register(s, cmd_ewa_rows) < 0 ||
        cmd_register(s, cmd_ensemble_rows) < 0 ||
        cmd_register(s, cmd_session_rows) < 0 || lesson_register(s) < 0 ||
        cmd_register(s, cmd_shell_rows) < 0)
        return -1;
    return 0;
}
