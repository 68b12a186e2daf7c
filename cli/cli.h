/* The command layer: what every `chatarc COMMAND` front end shares. Only
 * this layer prints to the user and chooses exit codes. */
#ifndef CHATARC_CLI_H
#define CHATARC_CLI_H

#include <stdbool.h>

#include "../common/config.h"
#include "../common/status.h"

/* Exit codes cron can trust (chatarc(1), "EXIT STATUS"). */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_PARTIAL = 3,
};

typedef struct cli_context {
	/* How to name the program in a command for the user to try: argv[0]
	 * when it was run by a path (./chatarc before `make install`). */
	const char *program;
	const char *data_dir;
	const char *share_dir; /* NULL in the front end (chatarc), which needs none */
	bool stderr_tty;       /* progress goes to stderr, only on a terminal */
	bool stdout_tty;
	/* How config rules are checked: schedule_rule_problem in chatarc-full,
	 * NULL in the front end, which runs only search and so never expands
	 * a schedule (libical and ICU stay unloaded). */
	config_rule_check_fn check_rule;
	/* DIR/chatarc.conf, loaded once by main for the commands that use it
	 * (a flag in the command table); config_status says why it is not. */
	chatarc_config_t config;
	chatarc_status_t config_status;
	chatarc_error_t config_error;
} cli_context_t;

typedef int (*command_fn)(int argc, char **argv, cli_context_t *ctx);

int cmd_init(int argc, char **argv, cli_context_t *ctx);
int cmd_fetch(int argc, char **argv, cli_context_t *ctx);
int cmd_import(int argc, char **argv, cli_context_t *ctx);
int cmd_export(int argc, char **argv, cli_context_t *ctx);
int cmd_stats(int argc, char **argv, cli_context_t *ctx);
int cmd_summarise(int argc, char **argv, cli_context_t *ctx);
int cmd_index(int argc, char **argv, cli_context_t *ctx);
int cmd_search(int argc, char **argv, cli_context_t *ctx);
int cmd_publish(int argc, char **argv, cli_context_t *ctx);
int cmd_digest(int argc, char **argv, cli_context_t *ctx);
int cmd_demo(int argc, char **argv, cli_context_t *ctx);
int cmd_forget(int argc, char **argv, cli_context_t *ctx);
int cmd_update(int argc, char **argv, cli_context_t *ctx);
int cmd_serve(int argc, char **argv, cli_context_t *ctx);

int cli_exit_code(chatarc_status_t status);
/* Prints "chatarc: COMMAND: message" and returns the matching exit code. */
int cli_report(const char *command, chatarc_status_t status, const chatarc_error_t *err);
/* DIR/chatarc.conf, newly allocated. */
char *cli_config_path(const cli_context_t *ctx);
/* Loads DIR/chatarc.conf, with an error that says to run init if missing
 * (main, for the commands that use it; init and demo, which write it). */
CHATARC_MUST_CHECK chatarc_status_t cli_load_config(const cli_context_t *ctx,
                                                    chatarc_config_t *config, chatarc_error_t *err);
/* The config main loaded, or NULL with the reason it could not be. */
const chatarc_config_t *cli_config(const cli_context_t *ctx, chatarc_error_t *err);
/* A chat of that config, with errors that say what to do. */
CHATARC_MUST_CHECK chatarc_status_t cli_find_chat(const cli_context_t *ctx, const char *name,
                                                  const chatarc_chat_t **chat,
                                                  chatarc_error_t *err);
/* For commands that take no arguments: EXIT_OK, or prints why and gives EXIT_USAGE. */
struct command_help;
int cli_no_arguments(const char *command, int argc, char **argv, const struct command_help *help);
/* Loads the config and finds the chat, with errors that say what to do. */
CHATARC_MUST_CHECK chatarc_status_t cli_load_chat(const cli_context_t *ctx, const char *name,
                                                  chatarc_config_t *config,
                                                  const chatarc_chat_t **chat,
                                                  chatarc_error_t *err);

/* --NAME T: an ISO 8601 time into *out (left alone when value is NULL). */
CHATARC_MUST_CHECK chatarc_status_t cli_parse_time(const char *name, const char *value,
                                                   chatarc_ms_t *out, chatarc_error_t *err);

/* Imports files into a chat as `chatarc import` does, its consent setting
 * honoured; posts without the chat's tags counted (require_tag: left
 * out); returns an exit code. */
int cli_import_files(cli_context_t *ctx, const chatarc_chat_t *chat, char **paths, int n_paths,
                     const char *author, bool keep_going, bool require_tag, bool verbose);
/* Fetches as `chatarc fetch` does (chats empty: every chat), with its
 * progress, summary and messages; returns an exit code. `update` calls it
 * with its own options. */
struct fetch_options;
int cli_fetch_run(cli_context_t *ctx, const chatarc_config_t *config, const strlist_t *chats,
                  struct fetch_options *options, bool verbose, bool quiet);
/* Imports the bundled sample chat's files (share/sample/hcsmdemo/...) into
 * DIR, whose config names the chat; returns an exit code. */
int cli_import_sample(cli_context_t *ctx, const char *command);

#define SAMPLE_CHAT "hcsmdemo"

#endif
