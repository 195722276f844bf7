/* The kernel command line and its key=value arguments (kernel.h). */
#include <kernel.h>
#include <string.h>

const char *cmdline(void)
{
	static char line[MAX_GUEST_CMDLINE + 1];
	/* start_info.cmd_line need not be terminated when it is full. */
	size_t n = strnlen((const char *)start_info_ptr->cmd_line, MAX_GUEST_CMDLINE);
	memcpy(line, start_info_ptr->cmd_line, n);
	line[n] = 0;
	return line;
}

/* Where `key=`'s value starts, or NULL. */
static const char *value_of(const char *key)
{
	const char *line = cmdline();
	size_t n = strlen(key);
	for (const char *s = line; *s; s++)
		if ((s == line || s[-1] == ' ') && !strncmp(s, key, n) && s[n] == '=')
			return s + n + 1;
	return NULL;
}

unsigned long cmdline_num(const char *key, unsigned long def)
{
	const char *s = value_of(key);
	if (!s)
		return def;
	unsigned long v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (unsigned long)(*s - '0');
	return v;
}

void cmdline_word(const char *key, char *out, unsigned long size)
{
	const char *s = value_of(key);
	size_t i = 0;
	for (; s && *s && *s != ' ' && i + 1 < size; s++)
		out[i++] = *s;
	out[i] = 0;
}
