/* Everything a guest usually needs from the library, in one include. */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>

#include <console.h>
#include <hypercall.h>
#include <kernel.h>

#endif
