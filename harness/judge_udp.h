/*
 * judge_udp: the UDP echo cases' part of the verdict (judge.c calls it):
 * each reference client's datagrams for udp.server, the echoes printed and
 * the way the client ended for udp.client. Adds checks and diagnosis to c;
 * sets *failed.
 */
#ifndef SC_JUDGE_UDP_H
#define SC_JUDGE_UDP_H

#include "judge.h"

void judge_udp_server(const struct judge_in *in, struct res_case *c, int *failed);
void judge_udp_client(const struct judge_in *in, struct res_case *c, const struct judge_proc *cl,
    int *failed);

#endif
