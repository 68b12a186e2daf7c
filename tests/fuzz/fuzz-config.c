/* Fuzz harness: the config reader, on chatarc.conf as a user (or anyone
 * who can write the file) might leave it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../common/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/chatarc-fuzz-config-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		chatarc_config_t config;
		chatarc_error_t err;
		if (config_load(path, &config, schedule_rule_problem, &err) == CHATARC_OK)
			config_release(&config);
	}
	close(fd);
	unlink(path);
	return 0;
}
