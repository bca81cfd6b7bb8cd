/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of --device parsing (driver/usb/usbselect.c): each form of the
 * selection string and what it selects. No USB is touched. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apcmini.h"
#include "usbselect.h"

static const struct spec_case {
	const char *arg;
	enum usbsel_match type;
	unsigned int bus, addr, index;
	const struct apc_model *model;
	const char *text; /* what a path or serial compares with */
} spec_cases[] = {
	{ NULL, USBSEL_MATCH_ANY, 0, 0, 0, NULL, NULL },
	{ "", USBSEL_MATCH_ANY, 0, 0, 0, NULL, NULL },
	{ "3:17", USBSEL_MATCH_BUSADDR, 3, 17, 0, NULL, NULL },
	{ "003:017", USBSEL_MATCH_BUSADDR, 3, 17, 0, NULL, NULL },
	{ "0", USBSEL_MATCH_INDEX, 0, 0, 0, NULL, NULL },
	{ "12", USBSEL_MATCH_INDEX, 0, 0, 12, NULL, NULL },
	{ "1-2", USBSEL_MATCH_PATH, 0, 0, 0, NULL, "1-2" },
	{ "1-2.4.1", USBSEL_MATCH_PATH, 0, 0, 0, NULL, "1-2.4.1" },
	/* systemd's %f: the sysfs path, whose last component is the port. */
	{ "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2", USBSEL_MATCH_PATH, 0, 0, 0, NULL,
	  "1-2" },
	{ "mk1", USBSEL_MATCH_MODEL, 0, 0, 0, &apc_model_mk1, NULL },
	{ "MK2", USBSEL_MATCH_MODEL, 0, 0, 0, &apc_model_mk2, NULL },
	{ "AB12CD", USBSEL_MATCH_SERIAL, 0, 0, 0, NULL, "AB12CD" },
	/* Not quite a bus:address or a path: a serial number. */
	{ "3:x", USBSEL_MATCH_SERIAL, 0, 0, 0, NULL, "3:x" },
	{ ":5", USBSEL_MATCH_SERIAL, 0, 0, 0, NULL, ":5" },
	{ "1-2a", USBSEL_MATCH_SERIAL, 0, 0, 0, NULL, "1-2a" },
};

static void test_spec(void **state)
{
	const struct spec_case *c = *state;
	struct usbsel_spec sp;

	usbsel_parse(&sp, c->arg);
	assert_int_equal(sp.type, c->type);
	switch (c->type) {
	case USBSEL_MATCH_BUSADDR:
		assert_int_equal(sp.bus, c->bus);
		assert_int_equal(sp.addr, c->addr);
		break;
	case USBSEL_MATCH_INDEX:
		assert_int_equal(sp.index, c->index);
		break;
	case USBSEL_MATCH_MODEL:
		assert_ptr_equal(sp.model, c->model);
		break;
	case USBSEL_MATCH_PATH:
	case USBSEL_MATCH_SERIAL:
		assert_string_equal(sp.text, c->text);
		break;
	case USBSEL_MATCH_ANY:
		break;
	}
}

int main(void)
{
	struct CMUnitTest tests[sizeof(spec_cases) / sizeof(spec_cases[0])];
	static char names[sizeof(spec_cases) / sizeof(spec_cases[0])][64];
	size_t i;

	for (i = 0; i < sizeof(spec_cases) / sizeof(spec_cases[0]); i++) {
		snprintf(names[i], sizeof(names[i]), "device_%s",
			 spec_cases[i].arg ? (*spec_cases[i].arg ? spec_cases[i].arg : "empty")
					   : "null");
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = names[i];
		tests[i].test_func = test_spec;
		tests[i].initial_state = (void *)&spec_cases[i];
	}
	return _cmocka_run_group_tests("usbselect", tests, i, NULL, NULL);
}
