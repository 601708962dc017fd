#include "kind.h"

enum prof_prog_kind
kind_student(const struct scn *s, int client)
{
	switch (s->protocol) {
	case SCN_FILE: return client ? PROF_FILE_CLIENT : PROF_FILE_SERVER;
	case SCN_UDP: return client ? PROF_UDP_CLIENT : PROF_UDP_SERVER;
	case SCN_ECHO: break;
	}
	return client ? PROF_ECHO_CLIENT : PROF_ECHO_SERVER;
}

const char *
kind_peer(const struct scn *s, int server)
{
	switch (s->protocol) {
	case SCN_FILE: return server ? "file_server" : "file_client";
	case SCN_UDP: return server ? "udp_echo_server" : "udp_echo_client";
	case SCN_ECHO: break;
	}
	return server ? "echo_server" : "echo_client";
}

int
kind_datagram(const struct scn *s)
{
	return s->protocol == SCN_UDP;
}
