// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vmexit CODE: power the guest off through QEMU's isa-debug-exit device
 * (iobase 0xf4); QEMU then exits with status (CODE << 1) | 1, which is how
 * the guest's verdict reaches the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

int main(int argc, char **argv)
{
	int code = argc > 1 ? atoi(argv[1]) : 0;

	if (ioperm(0xf4, 4, 1)) {
		perror("vmexit: ioperm");
		return 1;
	}
	outb((unsigned char)code, 0xf4);
	/* not reached under QEMU with -device isa-debug-exit */
	fprintf(stderr, "vmexit: no isa-debug-exit device\n");
	return 1;
}
