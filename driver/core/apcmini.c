/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The APC mini model: variant tables, controls, LED state, identity and mk2 sysex.
 * Core: any thread may call it; all state lives in the caller's structs. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "apcmini.h"

#define MIDI_NOTE_OFF 0x80
#define MIDI_NOTE_ON 0x90
#define MIDI_CC 0xb0

#define SYSEX_START 0xf0
#define SYSEX_END 0xf7
#define AKAI_SYSEX_ID 0x47

/*
 * Port names: mk2 has two cables, which snd-usb-audio and Akai call
 * "Control" (session pads, buttons, faders) and "Notes" (Note mode). mk1 has
 * only the first kind, so its one cable gets the same "Control" name: a
 * script that connects to "<client>:Control" then works with either model.
 *
 * Firmware bytes are not published for either model; these are what the
 * emulator reports and nothing on the host side depends on them.
 */
const struct apc_model apc_model_mk1 = {
	.id = APC_MODEL_MK1,
	.name = "APC mini",
	.short_name = "mk1",
	.usb_manufacturer = "AKAI professional LLC",
	.usb_product = "APC MINI",
	.vid = APC_VID_AKAI,
	.pid = 0x0028,
	.inquiry_model = 0x28,
	.firmware = { 0x00, 0x01, 0x00, 0x00 },
	.n_cables = 1,
	.track_first = 64,
	.scene_first = 82,
	.shift_note = 98,
	.fader_cc_first = 48,
	/* Seen in client code, not in a vendor document. */
	.release_status = MIDI_NOTE_OFF,
	.leds = APC_LEDS_MK1,
	.pad_led_default_channel = 0,
};

const struct apc_model apc_model_mk2 = {
	.id = APC_MODEL_MK2,
	.name = "APC mini mk2",
	.short_name = "mk2",
	.usb_manufacturer = "AKAI professional LLC",
	.usb_product = "APC mini mk2",
	.vid = APC_VID_AKAI,
	.pid = 0x004f,
	.inquiry_model = 0x4f,
	.firmware = { 0x00, 0x01, 0x00, 0x00 },
	.n_cables = 2,
	.track_first = 100,
	.scene_first = 112,
	.shift_note = 122,
	.fader_cc_first = 48,
	/* Assumed as on mk1; the vendor document does not say. */
	.release_status = MIDI_NOTE_OFF,
	.leds = APC_LEDS_MK2,
	/* Channel 1 lights the pads at 10 %, the "LEDs are dim" complaint. */
	.pad_led_default_channel = 6,
};

const struct apc_model *const apc_models[] = {
	&apc_model_mk1,
	&apc_model_mk2,
	NULL,
};

const struct apc_model *apc_model_by_usb_id(uint16_t vid, uint16_t pid)
{
	const struct apc_model *const *m;

	for (m = apc_models; *m; m++)
		if ((*m)->vid == vid && (*m)->pid == pid)
			return *m;
	return NULL;
}

const struct apc_model *apc_model_by_name(const char *short_name)
{
	const struct apc_model *const *m;

	if (!short_name)
		return NULL;
	for (m = apc_models; *m; m++)
		if (strcasecmp((*m)->short_name, short_name) == 0)
			return *m;
	return NULL;
}

/* ---- Identity ---- */

const uint8_t apc_inquiry_request[6] = { SYSEX_START, 0x7e, 0x00, 0x06, 0x01, SYSEX_END };

/* The reply as the protocol notes give it: F0 7E <id> 06 02 47 <model> 00 19
 * <4 version bytes> <id>, then serial number and manufacturing data. Their
 * lengths are not published for the APC mini; Akai's documented layout for
 * its other controllers uses 4 and 16 bytes, which the emulator follows
 * (zeros). Hosts read the model byte only. */
#define INQUIRY_SERIAL_LEN 4
#define INQUIRY_MFG_LEN 16
#define INQUIRY_REPLY_LEN (14 + INQUIRY_SERIAL_LEN + INQUIRY_MFG_LEN + 1)
#define INQUIRY_MODEL_OFFSET 6

const struct apc_model *apc_model_by_inquiry_reply(const uint8_t *msg, size_t len)
{
	static const uint8_t head[] = { SYSEX_START, 0x7e };
	static const uint8_t id[] = { 0x06, 0x02, AKAI_SYSEX_ID };
	const struct apc_model *const *m;

	if (!msg || len <= INQUIRY_MODEL_OFFSET + 1 || msg[len - 1] != SYSEX_END)
		return NULL;
	if (memcmp(msg, head, sizeof(head)) != 0 || memcmp(msg + 3, id, sizeof(id)) != 0)
		return NULL;
	for (m = apc_models; *m; m++)
		if ((*m)->inquiry_model == msg[INQUIRY_MODEL_OFFSET])
			return *m;
	return NULL;
}

int apc_inquiry_reply(const struct apc_model *m, uint8_t device_id, uint8_t *out, size_t outsz)
{
	size_t n = 0;

	if (!m || device_id > 0x7f)
		return -EINVAL;
	if (outsz < INQUIRY_REPLY_LEN)
		return -ENOSPC;
	out[n++] = SYSEX_START;
	out[n++] = 0x7e;
	out[n++] = device_id;
	out[n++] = 0x06;
	out[n++] = 0x02;
	out[n++] = AKAI_SYSEX_ID;
	out[n++] = m->inquiry_model;
	out[n++] = 0x00;
	out[n++] = 0x19;
	memcpy(out + n, m->firmware, sizeof(m->firmware));
	n += sizeof(m->firmware);
	out[n++] = device_id;
	memset(out + n, 0, INQUIRY_SERIAL_LEN + INQUIRY_MFG_LEN);
	n += INQUIRY_SERIAL_LEN + INQUIRY_MFG_LEN;
	out[n++] = SYSEX_END;
	return (int)n;
}

/* ---- mk2 introduction ---- */

static const uint8_t mk2_sysex_head[] = { SYSEX_START, AKAI_SYSEX_ID, 0x7f, 0x4f };


/* The host application's version in the introduction; the device is not
 * known to act on it. */
static const uint8_t mk2_intro_version[3] = { 0x00, 0x01, 0x00 };

/* Akai's document prints the reply length as 00 04 although nine fader
 * bytes follow. The emulator copies the document so that hosts are tested
 * against it; if a real device turns out to send 00 09, change it here. */
#define MK2_INTRO_REPLY_LEN_FIELD 0x0004

int apc_mk2_intro_request(uint8_t *out, size_t outsz)
{
	size_t n = 0;

	if (outsz < 12)
		return -ENOSPC;
	memcpy(out, mk2_sysex_head, sizeof(mk2_sysex_head));
	n += sizeof(mk2_sysex_head);
	out[n++] = APC_MK2_CMD_INTRO;
	out[n++] = 0x00;
	out[n++] = 0x04;
	out[n++] = 0x00;
	memcpy(out + n, mk2_intro_version, sizeof(mk2_intro_version));
	n += sizeof(mk2_intro_version);
	out[n++] = SYSEX_END;
	return (int)n;
}

int apc_mk2_intro_reply(const uint8_t faders[APC_NUM_FADERS], uint8_t *out, size_t outsz)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < APC_NUM_FADERS; i++)
		if (faders[i] > 0x7f)
			return -EINVAL;
	if (outsz < sizeof(mk2_sysex_head) + 3 + APC_NUM_FADERS + 1)
		return -ENOSPC;
	memcpy(out, mk2_sysex_head, sizeof(mk2_sysex_head));
	n += sizeof(mk2_sysex_head);
	out[n++] = APC_MK2_CMD_INTRO_REPLY;
	out[n++] = (MK2_INTRO_REPLY_LEN_FIELD >> 7) & 0x7f;
	out[n++] = MK2_INTRO_REPLY_LEN_FIELD & 0x7f;
	memcpy(out + n, faders, APC_NUM_FADERS);
	n += APC_NUM_FADERS;
	out[n++] = SYSEX_END;
	return (int)n;
}

/* Checks F0 47 7F 4F <cmd> <len msb> <len lsb> and returns the payload
 * offset, or -EINVAL. The length field is read past, never trusted. */
static int mk2_sysex_payload(const uint8_t *msg, size_t len, uint8_t cmd)
{
	if (apc_mk2_sysex_cmd(msg, len) != cmd)
		return -EINVAL;
	return (int)(sizeof(mk2_sysex_head) + 3);
}

int apc_mk2_sysex_cmd(const uint8_t *msg, size_t len)
{
	size_t off = sizeof(mk2_sysex_head);

	if (!msg || len < off + 4 || memcmp(msg, mk2_sysex_head, off) != 0)
		return -EINVAL;
	if (msg[off] > 0x7f || msg[off + 1] > 0x7f || msg[off + 2] > 0x7f)
		return -EINVAL;
	return msg[off];
}

int apc_is_inquiry_request(const uint8_t *msg, size_t len)
{
	return msg && len == 6 && msg[0] == SYSEX_START && msg[1] == 0x7e && msg[3] == 0x06 &&
	       msg[4] == 0x01 && msg[5] == SYSEX_END;
}

int apc_mk2_intro_reply_parse(const uint8_t *msg, size_t len, uint8_t faders[APC_NUM_FADERS])
{
	int off = mk2_sysex_payload(msg, len, APC_MK2_CMD_INTRO_REPLY);
	unsigned int n = 0;
	size_t i;

	if (off < 0)
		return off;
	for (i = (size_t)off; i < len && msg[i] != SYSEX_END; i++) {
		if (msg[i] > 0x7f)
			return -EINVAL;
		/* Bytes after the ninth would be a later firmware's addition. */
		if (n < APC_NUM_FADERS)
			faders[n++] = msg[i];
	}
	if (i == len)
		return -EINVAL;
	return (int)n;
}

/* ---- Controls ---- */

/* Which button LED / control a note is: index into the LED table (64-79)
 * for track and scene buttons, -1 otherwise. */
static int button_led_index(const struct apc_model *m, unsigned int note)
{
	if (note >= m->track_first && note - m->track_first < APC_NUM_TRACK)
		return APC_LED_TRACK0 + (int)(note - m->track_first);
	if (note >= m->scene_first && note - m->scene_first < APC_NUM_SCENE)
		return APC_LED_SCENE0 + (int)(note - m->scene_first);
	return -1;
}

int apc_control_from_midi(const struct apc_model *m, const uint8_t *msg, size_t len,
			  struct apc_control *c)
{
	unsigned int type, d1;
	int led;

	if (!m || !msg || len != 3 || msg[1] > 0x7f || msg[2] > 0x7f || (msg[0] & 0x0f) != 0)
		return -ENOENT;
	type = msg[0] & 0xf0;
	d1 = msg[1];
	if (type == MIDI_CC) {
		if (d1 < m->fader_cc_first || d1 - m->fader_cc_first >= APC_NUM_FADERS)
			return -ENOENT;
		c->type = APC_CTL_FADER;
		c->index = (uint8_t)(d1 - m->fader_cc_first);
		c->value = msg[2];
		return 0;
	}
	if (type != MIDI_NOTE_ON && type != MIDI_NOTE_OFF)
		return -ENOENT;
	c->value = type == MIDI_NOTE_ON ? msg[2] : 0;
	if (d1 < APC_NUM_PADS) {
		c->type = APC_CTL_PAD;
		c->index = (uint8_t)d1;
	} else if (d1 == m->shift_note) {
		c->type = APC_CTL_SHIFT;
		c->index = 0;
	} else if ((led = button_led_index(m, d1)) >= 0) {
		c->type = led < APC_LED_SCENE0 ? APC_CTL_TRACK : APC_CTL_SCENE;
		c->index = (uint8_t)(led < APC_LED_SCENE0 ? led - APC_LED_TRACK0 : led - APC_LED_SCENE0);
	} else {
		return -ENOENT;
	}
	return 0;
}

int apc_control_to_midi(const struct apc_model *m, const struct apc_control *c, uint8_t out[3])
{
	unsigned int note;

	if (!m || !c || c->value > 0x7f)
		return -EINVAL;
	switch (c->type) {
	case APC_CTL_PAD:
		if (c->index >= APC_NUM_PADS)
			return -EINVAL;
		note = c->index;
		break;
	case APC_CTL_TRACK:
		if (c->index >= APC_NUM_TRACK)
			return -EINVAL;
		note = m->track_first + c->index;
		break;
	case APC_CTL_SCENE:
		if (c->index >= APC_NUM_SCENE)
			return -EINVAL;
		note = m->scene_first + c->index;
		break;
	case APC_CTL_SHIFT:
		if (c->index != 0)
			return -EINVAL;
		note = m->shift_note;
		break;
	case APC_CTL_FADER:
		if (c->index >= APC_NUM_FADERS)
			return -EINVAL;
		out[0] = MIDI_CC;
		out[1] = (uint8_t)(m->fader_cc_first + c->index);
		out[2] = c->value;
		return 3;
	default:
		return -EINVAL;
	}
	out[0] = c->value ? MIDI_NOTE_ON : m->release_status;
	out[1] = (uint8_t)note;
	out[2] = c->value;
	return 3;
}

/* ---- LEDs ---- */

static int is_mk2_pad(const struct apc_model *m, unsigned int index)
{
	return m->leds == APC_LEDS_MK2 && index < APC_NUM_PADS;
}

/* One spelling per visible state, so that diffing sees no change where the
 * device shows none: only mk2 pads have a behaviour, and an unlit mk2 pad
 * is unlit whatever channel turned it off. */
static struct apc_led led_normalize(const struct apc_model *m, unsigned int index,
				    struct apc_led l)
{
	if (l.rgb) {
		l.value = 0;
		l.behaviour = 0;
	} else {
		memset(&l.c, 0, sizeof(l.c));
		if (!is_mk2_pad(m, index))
			l.behaviour = 0;
		else if (l.value == 0)
			l.behaviour = m->pad_led_default_channel;
	}
	return l;
}

int apc_led_from_midi(const struct apc_model *m, const uint8_t *msg, size_t len,
		      struct apc_led *led)
{
	unsigned int type, channel;
	int index;

	if (!m || !msg || len != 3 || msg[1] > 0x7f || msg[2] > 0x7f)
		return -ENOENT;
	type = msg[0] & 0xf0;
	channel = msg[0] & 0x0f;
	if (type != MIDI_NOTE_ON && type != MIDI_NOTE_OFF)
		return -ENOENT;

	if (msg[1] < APC_NUM_PADS) {
		index = msg[1];
		/* mk1 and mk2 buttons only listen on channel 1. */
		if (!is_mk2_pad(m, (unsigned int)index) && channel != 0)
			return -ENOENT;
	} else {
		index = button_led_index(m, msg[1]);
		if (index < 0 || channel != 0)
			return -ENOENT;
	}
	memset(led, 0, sizeof(*led));
	led->value = type == MIDI_NOTE_ON ? msg[2] : 0;
	led->behaviour = (uint8_t)channel;
	*led = led_normalize(m, (unsigned int)index, *led);
	return index;
}

int apc_led_to_midi(const struct apc_model *m, unsigned int index, const struct apc_led *led,
		    uint8_t out[3])
{
	if (!m || !led || index >= APC_NUM_LEDS || led->value > 0x7f || led->behaviour > 0x0f)
		return -EINVAL;
	if (index < APC_NUM_PADS) {
		out[0] = (uint8_t)(MIDI_NOTE_ON | (is_mk2_pad(m, index) ? led->behaviour : 0));
		out[1] = (uint8_t)index;
	} else if (index < APC_LED_SCENE0) {
		out[0] = MIDI_NOTE_ON;
		out[1] = (uint8_t)(m->track_first + index - APC_LED_TRACK0);
	} else {
		out[0] = MIDI_NOTE_ON;
		out[1] = (uint8_t)(m->scene_first + index - APC_LED_SCENE0);
	}
	out[2] = led->value;
	return 3;
}

int apc_led_show_msgs(const struct apc_model *m, unsigned int index, const struct apc_led *led,
		      uint8_t *out, size_t outsz)
{
	struct apc_led solid = { 0 };
	int n;

	if (!m || !led || index >= APC_NUM_LEDS)
		return -EINVAL;
	if (!led->rgb) {
		if (outsz < 3)
			return -ENOSPC;
		return apc_led_to_midi(m, index, led, out);
	}
	if (!is_mk2_pad(m, index))
		return -EINVAL;
	if (outsz < 3)
		return -ENOSPC;
	solid.behaviour = m->pad_led_default_channel;
	apc_led_to_midi(m, index, &solid, out);
	n = apc_mk2_rgb_sysex(index, index, led->c, out + 3, outsz - 3);
	return n < 0 ? n : n + 3;
}

static int led_equal(const struct apc_led *a, const struct apc_led *b)
{
	return a->value == b->value && a->behaviour == b->behaviour && a->rgb == b->rgb &&
	       a->c.r == b->c.r && a->c.g == b->c.g && a->c.b == b->c.b;
}

/* The firmware takes an RGB colour on a pad it knows to be solid. */
static int led_takes_rgb(const struct apc_led_state *s, unsigned int i)
{
	return !s->unknown[i] && (s->shown[i].rgb || s->shown[i].behaviour <= APC_MK2_SOLID_MAX);
}

static int led_is_pending(const struct apc_led_state *s, unsigned int i)
{
	return s->unknown[i] || !led_equal(&s->want[i], &s->shown[i]);
}

void apc_leds_init(struct apc_led_state *s, const struct apc_model *m)
{
	const struct apc_led off = { .value = 0, .behaviour = 0 };
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->model = m;
	for (i = 0; i < APC_NUM_LEDS; i++) {
		s->want[i] = led_normalize(m, i, off);
		s->shown[i] = s->want[i];
	}
	apc_leds_invalidate(s);
}

int apc_leds_set(struct apc_led_state *s, unsigned int index, const struct apc_led *led)
{
	struct apc_led l;
	int was_pending;

	if (index >= APC_NUM_LEDS || !led || led->value > 0x7f || led->behaviour > 0x0f)
		return -EINVAL;
	if (led->rgb && !is_mk2_pad(s->model, index))
		return -EINVAL;
	l = led_normalize(s->model, index, *led);
	if (led_equal(&l, &s->want[index]))
		return 0;
	/* Latest wins: only the last wanted state before a flush is sent,
	 * and setting an LED back to what is shown cancels its message. */
	was_pending = led_is_pending(s, index);
	s->want[index] = l;
	if (was_pending && !led_is_pending(s, index))
		s->pending--;
	else if (!was_pending)
		s->pending++;
	return 1;
}

struct leds_rgb_apply {
	struct apc_led_state *s;
	int changed;
};

static void leds_rgb_set(void *user, unsigned int pad, struct apc_rgb c)
{
	struct leds_rgb_apply *a = user;
	const struct apc_led led = { .rgb = 1, .c = c };

	if (apc_leds_set(a->s, pad, &led) > 0)
		a->changed = 1;
}

int apc_leds_apply_midi(struct apc_led_state *s, const uint8_t *msg, size_t len)
{
	struct leds_rgb_apply a = { s, 0 };
	struct apc_led led;
	int index;

	if (s->model->leds == APC_LEDS_MK2 && apc_mk2_sysex_cmd(msg, len) == APC_MK2_CMD_RGB) {
		if (apc_mk2_rgb_sysex_parse(msg, len, leds_rgb_set, &a) < 0)
			return -ENOENT;
		return a.changed;
	}
	index = apc_led_from_midi(s->model, msg, len, &led);
	if (index < 0)
		return index;
	return apc_leds_set(s, (unsigned int)index, &led);
}

void apc_leds_invalidate(struct apc_led_state *s)
{
	memset(s->unknown, 1, sizeof(s->unknown));
	s->pending = APC_NUM_LEDS;
}

unsigned int apc_leds_pending(const struct apc_led_state *s)
{
	return s->pending;
}

size_t apc_leds_flush(struct apc_led_state *s, uint8_t *out, size_t outsz, uint64_t now_ns)
{
	const struct apc_led solid_off = { .value = 0, .behaviour = s->model->pad_led_default_channel };
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < APC_NUM_LEDS && s->pending > 0 && outsz - n >= 3; i++) {
		if (!led_is_pending(s, i))
			continue;
		if (s->want[i].rgb) {
			if (led_takes_rgb(s, i))
				continue; /* apc_leds_flush_rgb's */
			/* Set solid first; the colour follows after the gap.
			 * The LED stays pending. */
			apc_led_to_midi(s->model, i, &solid_off, out + n);
			n += 3;
			s->shown[i] = solid_off;
			s->unknown[i] = 0;
			s->note_ns[i] = now_ns;
			continue;
		}
		/* Values were range-checked by apc_leds_set(). */
		apc_led_to_midi(s->model, i, &s->want[i], out + n);
		n += 3;
		s->shown[i] = s->want[i];
		s->unknown[i] = 0;
		s->pending--;
		if (i < APC_NUM_PADS)
			s->note_ns[i] = now_ns;
	}
	return n;
}

static int led_rgb_due(const struct apc_led_state *s, unsigned int i, uint64_t now_ns)
{
	return s->want[i].rgb && led_is_pending(s, i) && led_takes_rgb(s, i) &&
	       s->note_ns[i] != APC_LEDS_QUEUED && now_ns - s->note_ns[i] >= APC_RGB_GAP_NS;
}

void apc_leds_sent(struct apc_led_state *s, uint64_t now_ns)
{
	unsigned int i;

	for (i = 0; i < APC_NUM_PADS; i++)
		if (s->note_ns[i] == APC_LEDS_QUEUED)
			s->note_ns[i] = now_ns;
}

static int rgb_equal(struct apc_rgb a, struct apc_rgb b)
{
	return a.r == b.r && a.g == b.g && a.b == b.b;
}

/* ---- mk2 RGB sysex ---- */

#define RGB_RANGE_LEN 8

static void put_component(uint8_t *p, uint8_t v)
{
	p[0] = v >> 7;
	p[1] = v & 0x7f;
}

int apc_mk2_rgb_sysex(unsigned int first, unsigned int last, struct apc_rgb c, uint8_t *out,
		      size_t outsz)
{
	size_t n = 0;

	if (first > last || last >= APC_NUM_PADS)
		return -EINVAL;
	if (outsz < sizeof(mk2_sysex_head) + 3 + RGB_RANGE_LEN + 1)
		return -ENOSPC;
	memcpy(out, mk2_sysex_head, sizeof(mk2_sysex_head));
	n += sizeof(mk2_sysex_head);
	out[n++] = APC_MK2_CMD_RGB;
	out[n++] = RGB_RANGE_LEN >> 7;
	out[n++] = RGB_RANGE_LEN & 0x7f;
	out[n++] = (uint8_t)first;
	out[n++] = (uint8_t)last;
	put_component(out + n, c.r);
	put_component(out + n + 2, c.g);
	put_component(out + n + 4, c.b);
	n += 6;
	out[n++] = SYSEX_END;
	return (int)n;
}

/* A component is two 7-bit bytes holding v >> 7 and v & 0x7F, so the high
 * one may only be 0 or 1. */
static int get_component(const uint8_t *p, uint8_t *v)
{
	if (p[0] > 1 || p[1] > 0x7f)
		return -EINVAL;
	*v = (uint8_t)(p[0] << 7 | p[1]);
	return 0;
}

static int rgb_range_parse(const uint8_t *p, unsigned int *first, unsigned int *last,
			   struct apc_rgb *c)
{
	if (p[0] > p[1] || p[1] >= APC_NUM_PADS)
		return -EINVAL;
	*first = p[0];
	*last = p[1];
	if (get_component(p + 2, &c->r) || get_component(p + 4, &c->g) ||
	    get_component(p + 6, &c->b))
		return -EINVAL;
	return 0;
}

int apc_mk2_rgb_sysex_parse(const uint8_t *msg, size_t len,
			    void (*fn)(void *user, unsigned int pad, struct apc_rgb c), void *user)
{
	int off = mk2_sysex_payload(msg, len, APC_MK2_CMD_RGB);
	unsigned int first, last, pad;
	struct apc_rgb c;
	size_t payload, i;
	int pads = 0;

	/* As for the introduction, the payload runs to the F7; the length
	 * field is not trusted. */
	if (off < 0 || msg[len - 1] != SYSEX_END)
		return -EINVAL;
	payload = len - 1 - (size_t)off;
	if (payload % RGB_RANGE_LEN != 0)
		return -EINVAL;

	/* Validate everything before the first callback, so a bad message
	 * colours nothing rather than half the grid. */
	for (i = (size_t)off; i < len - 1; i += RGB_RANGE_LEN) {
		if (rgb_range_parse(msg + i, &first, &last, &c) < 0)
			return -EINVAL;
		pads += (int)(last - first + 1);
	}
	if (fn) {
		for (i = (size_t)off; i < len - 1; i += RGB_RANGE_LEN) {
			rgb_range_parse(msg + i, &first, &last, &c);
			for (pad = first; pad <= last; pad++)
				fn(user, pad, c);
		}
	}
	return pads;
}

size_t apc_leds_flush_rgb(struct apc_led_state *s, uint8_t *out, size_t outsz, uint64_t now_ns)
{
	size_t head = sizeof(mk2_sysex_head) + 3, n = head;
	unsigned int first, last;
	struct apc_rgb c;

	if (s->model->leds != APC_LEDS_MK2 || outsz < head + RGB_RANGE_LEN + 1)
		return 0;
	for (first = 0; first < APC_NUM_PADS && s->pending > 0; first = last + 1) {
		last = first;
		if (!led_rgb_due(s, first, now_ns))
			continue;
		if (outsz - n < RGB_RANGE_LEN + 1)
			break;
		/* Pads of one colour in a row are one range. */
		c = s->want[first].c;
		while (last + 1 < APC_NUM_PADS && led_rgb_due(s, last + 1, now_ns) &&
		       rgb_equal(s->want[last + 1].c, c))
			last++;
		out[n] = (uint8_t)first;
		out[n + 1] = (uint8_t)last;
		put_component(out + n + 2, c.r);
		put_component(out + n + 4, c.g);
		put_component(out + n + 6, c.b);
		n += RGB_RANGE_LEN;
		for (; first <= last; first++) {
			s->shown[first] = s->want[first];
			s->pending--;
		}
		last = first - 1;
	}
	if (n == head)
		return 0;
	memcpy(out, mk2_sysex_head, sizeof(mk2_sysex_head));
	out[sizeof(mk2_sysex_head)] = APC_MK2_CMD_RGB;
	out[sizeof(mk2_sysex_head) + 1] = (uint8_t)((n - head) >> 7);
	out[sizeof(mk2_sysex_head) + 2] = (uint8_t)((n - head) & 0x7f);
	out[n++] = SYSEX_END;
	return n;
}

uint64_t apc_leds_due(const struct apc_led_state *s, uint64_t now_ns)
{
	uint64_t due = 0, at;
	unsigned int i;

	for (i = 0; i < APC_NUM_LEDS && s->pending > 0; i++) {
		if (!led_is_pending(s, i))
			continue;
		if (!s->want[i].rgb || !led_takes_rgb(s, i))
			return now_ns; /* a note-on, sent at once */
		if (s->note_ns[i] == APC_LEDS_QUEUED)
			continue; /* stamped when the ring drains */
		at = s->note_ns[i] + APC_RGB_GAP_NS;
		if (at < now_ns)
			at = now_ns;
		if (!due || at < due)
			due = at;
	}
	return due;
}
