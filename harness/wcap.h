/*
 * wcap: the packet capture of one case (libpcap), on the loopback of the
 * case's own network namespace, written to a pcap file that Wireshark,
 * tcpdump and tshark open.
 *
 * Only headers and the first bytes of each payload are kept (snap length),
 * and not every packet: the first packets of each connection, every packet
 * that carries SYN, FIN or RST or a zero window, and the last packets of the
 * case. The rest is counted, so a 32 MiB transfer in 30-byte writes costs a
 * small file and constant memory. Reading the file back is wire.h's job.
 *
 * The capture runs in a thread of its own that entered the namespace
 * (CAP_SYS_ADMIN) and opened a packet socket there (CAP_NET_RAW); without
 * those privileges wcap_start fails and its error says why, so the report
 * can say why there is no capture.
 */
#ifndef SC_WCAP_H
#define SC_WCAP_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"

#define WCAP_FILE "capture.pcap"	/* its name in the case directory */

struct wcap_limits {
	unsigned snaplen;		/* bytes kept of each packet, headers included */
	unsigned head_packets;		/* kept at the start of each connection */
	unsigned tail_packets;		/* kept at the end of the case */
	uint64_t max_file_bytes;	/* past this only SYN/FIN/RST/zero window are kept */
};

/* What sockcheck uses for a case (wcap.c). */
extern const struct wcap_limits WCAP_CASE;

struct wcap_stats {
	uint64_t seen;			/* packets the capture saw */
	uint64_t written;		/* packets in the file */
	uint64_t omitted;		/* seen but not written (the middle of long transfers) */
	uint64_t dropped;		/* lost by the kernel (buffer full): the file is incomplete */
	uint64_t file_bytes;		/* size of the file */
};

struct wcap;

/*
 * Start capturing TCP and UDP on the loopback ("lo") of the network
 * namespace of `net_pid` (sbx_net_pid), into `path`. Returns 0 once the
 * capture is live (a packet sent after it returns is seen), or -1 with err
 * ("no capture: entering the case's network namespace: Operation not
 * permitted", "no capture: lo: You don't have permission to capture ...").
 */
int wcap_start(pid_t net_pid, const char *path, const struct wcap_limits *lim,
    struct wcap **out, struct sc_err *err);

/*
 * Stop: take what the kernel still holds, write the kept tail, close the
 * file and free `w`. *st (may be NULL) gets the counts. Returns 0 or -1
 * with err (the file may then be incomplete, never corrupt).
 */
int wcap_stop(struct wcap *w, struct wcap_stats *st, struct sc_err *err);

#endif
