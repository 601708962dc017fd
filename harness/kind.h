/*
 * kind: which programs a scenario involves: the student's program on its
 * server or client side (a profile kind) and the reference peer that plays
 * the other side, for every protocol (echo, file, udp).
 */
#ifndef SC_KIND_H
#define SC_KIND_H

#include "prof.h"
#include "scn.h"

/* The student's program of scenario `s` on its client (1) or server (0) side. */
enum prof_prog_kind kind_student(const struct scn *s, int client);

/* The reference peer that plays the server (1) or client (0) side of `s`. */
const char *kind_peer(const struct scn *s, int server);

/* 1 for datagram protocols (udp). */
int kind_datagram(const struct scn *s);

#endif
