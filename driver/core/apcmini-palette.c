/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The APC mini mk2's fixed pad palette as data: velocity -> 0xRRGGBB.
 * Core: read-only, any thread. */
#include "config.h"

#include "apcmini.h"

/* Akai's "APC mini mk2 Communications Protocol v1.0" table. The device does
 * the lookup itself; the copy here lets the emulator and tools show what an
 * index looks like. Transcribed from doc/apcmini-protocol.md. */
const uint32_t apc_mk2_palette[128] = {
	[0] = 0x000000, [1] = 0x1E1E1E, [2] = 0x7F7F7F, [3] = 0xFFFFFF,
	[4] = 0xFF4C4C, [5] = 0xFF0000, [6] = 0x590000, [7] = 0x190000,
	[8] = 0xFFBD6C, [9] = 0xFF5400, [10] = 0x591D00, [11] = 0x271B00,
	[12] = 0xFFFF4C, [13] = 0xFFFF00, [14] = 0x595900, [15] = 0x191900,
	[16] = 0x88FF4C, [17] = 0x54FF00, [18] = 0x1D5900, [19] = 0x142B00,
	[20] = 0x4CFF4C, [21] = 0x00FF00, [22] = 0x005900, [23] = 0x001900,
	[24] = 0x4CFF5E, [25] = 0x00FF19, [26] = 0x00590D, [27] = 0x001902,
	[28] = 0x4CFF88, [29] = 0x00FF55, [30] = 0x00591D, [31] = 0x001F12,
	[32] = 0x4CFFB7, [33] = 0x00FF99, [34] = 0x005935, [35] = 0x001912,
	[36] = 0x4CC3FF, [37] = 0x00A9FF, [38] = 0x004152, [39] = 0x001019,
	[40] = 0x4C88FF, [41] = 0x0055FF, [42] = 0x001D59, [43] = 0x000819,
	[44] = 0x4C4CFF, [45] = 0x0000FF, [46] = 0x000059, [47] = 0x000019,
	[48] = 0x874CFF, [49] = 0x5400FF, [50] = 0x190064, [51] = 0x0F0030,
	[52] = 0xFF4CFF, [53] = 0xFF00FF, [54] = 0x590059, [55] = 0x190019,
	[56] = 0xFF4C87, [57] = 0xFF0054, [58] = 0x59001D, [59] = 0x220013,
	[60] = 0xFF1500, [61] = 0x993500, [62] = 0x795100, [63] = 0x436400,
	[64] = 0x033900, [65] = 0x005735, [66] = 0x00547F, [67] = 0x0000FF,
	[68] = 0x00454F, [69] = 0x2500CC, [70] = 0x7F7F7F, [71] = 0x202020,
	[72] = 0xFF0000, [73] = 0xBDFF2D, [74] = 0xAFED06, [75] = 0x64FF09,
	[76] = 0x108B00, [77] = 0x00FF87, [78] = 0x00A9FF, [79] = 0x002AFF,
	[80] = 0x3F00FF, [81] = 0x7A00FF, [82] = 0xB21A7D, [83] = 0x402100,
	[84] = 0xFF4A00, [85] = 0x88E106, [86] = 0x72FF15, [87] = 0x00FF00,
	[88] = 0x3BFF26, [89] = 0x59FF71, [90] = 0x38FFCC, [91] = 0x5B8AFF,
	[92] = 0x3151C6, [93] = 0x877FE9, [94] = 0xD31DFF, [95] = 0xFF005D,
	[96] = 0xFF7F00, [97] = 0xB9B000, [98] = 0x90FF00, [99] = 0x835D07,
	[100] = 0x392B00, [101] = 0x144C10, [102] = 0x0D5038, [103] = 0x15152A,
	[104] = 0x16205A, [105] = 0x693C1C, [106] = 0xA8000A, [107] = 0xDE513D,
	[108] = 0xD86A1C, [109] = 0xFFE126, [110] = 0x9EE12F, [111] = 0x67B50F,
	[112] = 0x1E1E30, [113] = 0xDCFF6B, [114] = 0x80FFBD, [115] = 0x9A99FF,
	[116] = 0x8E66FF, [117] = 0x404040, [118] = 0x757575, [119] = 0xE0FFFF,
	[120] = 0xA00000, [121] = 0x350000, [122] = 0x1AD000, [123] = 0x074200,
	[124] = 0xB9B000, [125] = 0x3F3100, [126] = 0xB35F00, [127] = 0x4B1502,
};
