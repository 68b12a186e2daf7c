/* Helpers shared by the command front ends. */
#define _DEFAULT_SOURCE
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fsutil.h"
#include "../common/options.h"
#include "../common/terminal.h"
#include "../common/timeutil.h"

int cli_exit_code(chatarc_status_t status)
{
	switch (status) {
	case CHATARC_OK: return EXIT_OK;
	case CHATARC_ERR_USAGE: return EXIT_USAGE;
	case CHATARC_ERR_PARTIAL: return EXIT_PARTIAL;
	default: return EXIT_FAILURE_RUNTIME;
	}
}

int cli_report(const char *command, chatarc_status_t status, const chatarc_error_t *err)
{
	if (status != CHATARC_OK)
		term_say(command, err->message);
	return cli_exit_code(status);
}

char *cli_config_path(const cli_context_t *ctx)
{
	strbuf_t sb;
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "%s/chatarc.conf", ctx->data_dir);
	return strbuf_detach(&sb, NULL);
}

chatarc_status_t cli_load_config(const cli_context_t *ctx, chatarc_config_t *config,
                                 chatarc_error_t *err)
{
	char *path = cli_config_path(ctx);
	chatarc_status_t status = config_load(path, config, ctx->check_rule, err);
	if (status == CHATARC_ERR_NOT_FOUND)
		chatarc_error_set(err, status,
		                  "%s is not a chatarc data directory (no chatarc.conf): run "
		                  "`chatarc --data %s init` first",
		                  ctx->data_dir, ctx->data_dir);
	free(path);
	return status;
}

int cli_no_arguments(const char *command, int argc, char **argv, const command_help_t *help)
{
	if (argc <= 1)
		return EXIT_OK;
	char why[300];
	snprintf(why, sizeof why, "unexpected argument '%.200s'", argv[1]);
	return options_usage_error(command, help, why);
}

const chatarc_config_t *cli_config(const cli_context_t *ctx, chatarc_error_t *err)
{
	if (ctx->config_status == CHATARC_OK)
		return &ctx->config;
	*err = ctx->config_error;
	return NULL;
}

chatarc_status_t cli_find_chat(const cli_context_t *ctx, const char *name,
                               const chatarc_chat_t **chat, chatarc_error_t *err)
{
	const chatarc_config_t *config = cli_config(ctx, err);
	if (!config)
		return ctx->config_status;
	*chat = config_find_chat(config, name);
	if (*chat)
		return CHATARC_OK;
	return chatarc_error_set(err, CHATARC_ERR_NOT_FOUND,
	                         "no chat named '%s' in %s: add it under \"chats\"", name,
	                         config->path);
}

chatarc_status_t cli_load_chat(const cli_context_t *ctx, const char *name, chatarc_config_t *config,
                               const chatarc_chat_t **chat, chatarc_error_t *err)
{
	chatarc_status_t status = cli_load_config(ctx, config, err);
	if (status != CHATARC_OK)
		return status;
	*chat = config_find_chat(config, name);
	if (*chat)
		return CHATARC_OK;
	status = chatarc_error_set(err, CHATARC_ERR_NOT_FOUND,
	                           "no chat named '%s' in %s: add it under \"chats\"", name,
	                           config->path);
	config_release(config);
	return status;
}

chatarc_status_t cli_parse_time(const char *name, const char *value, chatarc_ms_t *out,
                                chatarc_error_t *err)
{
	if (value && !time_parse_iso8601(value, out))
		return chatarc_error_set(err, CHATARC_ERR_USAGE,
		                         "--%s '%s' is not an ISO 8601 time (2013-03-13 or "
		                         "2013-03-13T17:00:00Z)",
		                         name, value);
	return CHATARC_OK;
}
