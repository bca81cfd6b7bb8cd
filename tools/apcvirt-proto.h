/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcvirt's control port, the one thing apcmon and apcvirt agree on beyond
 * the device's own protocol. The port comes after the device's ports (port
 * 1 on an mk1, 2 on an mk2) and is named APCVIRT_PORT_NAME:
 * - read it: every message the host sends the device on cable 0 (so a
 *   monitor sees LED messages whoever sends them, directly addressed or
 *   not), and the whole LED state again whenever someone subscribes;
 * - write to it: F0 7D "apcv " <command> F7, one line of the command
 *   language (apcvirt(1)) in a sysex for non-commercial use (ID 7D).
 */
#ifndef APC_APCVIRT_PROTO_H
#define APC_APCVIRT_PROTO_H

#include <stdint.h>

#define APCVIRT_PORT_NAME "apcvirt control"

static const uint8_t apcvirt_cmd_header[] = { 0xf0, 0x7d, 'a', 'p', 'c', 'v', ' ' };

#endif
