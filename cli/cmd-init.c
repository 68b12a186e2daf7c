/* `chatarc init [--sample]`: a new data directory with a commented config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fsutil.h"
#include "../common/options.h"
#include "cli.h"

static const command_help_t init_help = {
    "chatarc init [--sample] [--force]",
    "Creates the data directory (--data DIR, $CHATARC_DATA or ./chatarc-data)\n"
    "with a commented chatarc.conf to edit. --sample adds the bundled sample chat\n"
    "(#" SAMPLE_CHAT ") to the config and imports its posts."};

static CHATARC_MUST_CHECK chatarc_status_t make_layout(const cli_context_t *ctx,
                                                       chatarc_error_t *err)
{
	const char *subdirs[] = {"archive", "state"};
	for (size_t i = 0; i < 2; i++) {
		strbuf_t path;
		strbuf_init(&path, 0);
		strbuf_addf(&path, "%s/%s", ctx->data_dir, subdirs[i]);
		chatarc_status_t status = fs_mkdir_p(path.buf, err);
		strbuf_release(&path);
		if (status != CHATARC_OK)
			return status;
	}
	return CHATARC_OK;
}

static bool is_json_file(const char *name)
{
	return strstr(name, ".json") != NULL;
}

/* The bundled sample chat's files, sorted. */
static CHATARC_MUST_CHECK chatarc_status_t sample_files(const cli_context_t *ctx, strlist_t *paths,
                                                        chatarc_error_t *err)
{
	strbuf_t dir;
	chatarc_status_t status = CHATARC_OK;

	strbuf_init(&dir, 0);
	strbuf_addf(&dir, "%s/sample/%s", ctx->share_dir, SAMPLE_CHAT);
	/* Sorted, so every run imports in the same order. */
	fs_list_dir(dir.buf, is_json_file, paths);
	if (paths->len == 0)
		status = chatarc_error_set(
		    err, CHATARC_ERR_NOT_FOUND,
		    "%s: the bundled sample is missing (set CHATARC_SHARE to chatarc's share/)",
		    dir.buf);
	strbuf_release(&dir);
	return status;
}

int cli_import_sample(cli_context_t *ctx, const char *command)
{
	strlist_t files = {0};
	chatarc_config_t config;
	const chatarc_chat_t *chat;
	chatarc_error_t err;
	chatarc_status_t status = sample_files(ctx, &files, &err);
	if (status == CHATARC_OK)
		status = cli_load_chat(ctx, SAMPLE_CHAT, &config, &chat, &err);
	if (status != CHATARC_OK) {
		strlist_clear(&files);
		return cli_report(command, status, &err);
	}
	int code =
	    cli_import_files(ctx, chat, files.items, (int)files.len, NULL, false, false, false);
	config_release(&config);
	strlist_clear(&files);
	return code;
}

int cmd_init(int argc, char **argv, cli_context_t *ctx)
{
	bool sample = false, force = false, help = false;
	const chatarc_option_t options[] = {
	    OPT_FLAG("sample", 0, NULL, "add and import the bundled sample chat", &sample),
	    OPT_FLAG("force", 'f', NULL, "replace an existing chatarc.conf", &force),
	    OPT_END,
	};
	chatarc_error_t err;
	chatarc_status_t status = options_parse(options, &init_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("init", status, &err);
	if (cli_no_arguments("init", argc, argv, &init_help) != EXIT_OK)
		return EXIT_USAGE;

	char *config_path = cli_config_path(ctx);
	int code = EXIT_OK;
	if (fs_exists(config_path) && !force) {
		fprintf(stderr,
		        "chatarc: init: %s already exists; edit it, or pass --force to "
		        "replace it\n",
		        config_path);
		free(config_path);
		return EXIT_FAILURE_RUNTIME;
	}
	strbuf_t text;
	strbuf_init(&text, 4096);
	config_template(&text, sample);
	if ((status = make_layout(ctx, &err)) != CHATARC_OK ||
	    (status = fs_replace_file(config_path, text.buf, text.len, &err)) != CHATARC_OK) {
		code = cli_report("init", status, &err);
		goto out;
	}
	if (ctx->stdout_tty)
		printf("wrote %s\n", config_path);
	if (sample)
		code = cli_import_sample(ctx, "init");
out:
	strbuf_release(&text);
	free(config_path);
	return code;
}
