/*
 * ref_mangle: different bytes of the same length, so that a test can tell
 * a client that prints what it received from one that prints what it sent.
 * Letters are rotated by 13, digits by 5; every other byte is unchanged.
 */
#ifndef REF_MANGLE_H
#define REF_MANGLE_H

#include <stddef.h>

unsigned char ref_mangle_byte(unsigned char c);
void ref_mangle_buf(unsigned char *buf, size_t len);

#endif
