/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 16550 UART on COM1, polled. Every byte is a port write, i.e. a VM exit, so
 * the console is for humans and report lines, never for the packet path.
 */
#include <skiff/console.h>
#include <skiff/portio.h>

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding register */
#define UART_IER	1
#define UART_DLL	0
#define UART_DLM	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define LSR_THRE	0x20	/* transmitter holding register empty */
#define LCR_DLAB	0x80

void console_init(void)
{
	outb(COM1 + UART_IER, 0x00);		/* no interrupts: we poll */
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);		/* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03);		/* 8N1 */
	outb(COM1 + UART_FCR, 0xc7);		/* FIFO on, cleared */
	outb(COM1 + UART_MCR, 0x03);		/* DTR, RTS */
}

/*
 * THRE set means the whole transmit FIFO is empty (FCR enabled it), so up to
 * UART_FIFO bytes may follow one status read: half the port accesses of a
 * poll per byte.
 */
#define UART_FIFO	16

static void serial_wait_empty(void)
{
	/* Bounded: a missing or wedged UART must not hang the kernel. */
	for (unsigned spin = 0; spin < 100000; spin++)
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			return;
}

void console_write(const char *s, size_t len)
{
	unsigned room = 0;

	for (size_t i = 0; i < len; i++) {
		if (room < 2) {		/* a '\n' takes two */
			serial_wait_empty();
			room = UART_FIFO;
		}
		if (s[i] == '\n') {
			outb(COM1 + UART_THR, '\r');
			room--;
		}
		outb(COM1 + UART_THR, (uint8_t)s[i]);
		room--;
	}
}
