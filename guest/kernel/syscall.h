#ifndef RINGOS_SYSCALL_H
#define RINGOS_SYSCALL_H

#include <stdint.h>
#include "trap.h"

void syscall_dispatch(struct trapframe *tf);
/* The kernel half of the lab programs (kernel/lab.c). */
int lab_call(uint32_t op, uint32_t arg, uint32_t user_out);
/* Copies n bytes to a user address after checking the mapping; 0 or -EFAULT. */
int copy_to_user(uint32_t dst, const void *src, uint32_t n);

#endif
