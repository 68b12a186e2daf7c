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

static chatarc_status_t make_layout(const cli_context_t *ctx, chatarc_error_t *err)
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
