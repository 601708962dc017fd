/*
 * cause: the table of failure causes (cause.h). One row per cause: its id,
 * the aspect whose case it belongs to, a title and a hint. docs/grading.md
 * lists the same ids; tests/test_judge.c checks that every id the judge
 * gives has a row here.
 */
#include <string.h>

#include "cause.h"

static const struct cause table[] = {
	/* starting and listening */
	{ "no-start", CAUSE_ASPECT_NONE, "the program could not be started",
	  "Check that the program is built, is executable and takes the arguments "
	  "the profile gives it." },
	{ "no-listen", CAUSE_ASPECT_NONE, "the server never listened on its port",
	  "socket(), bind() to the port from the command line, listen(), then accept(); "
	  "check each call and report a failure on standard error." },
	{ "missing-served-file", CAUSE_ASPECT_NONE, "the server could not open the file it serves",
	  "The server exits or crashes when its file is missing: check fopen()/open() "
	  "before using the result, or tell sockcheck the file's name (profile: file)." },
	{ "hidden-port", CAUSE_ASPECT_NONE, "the server listens on a port nobody can learn",
	  "It listens on a port it never told anyone: bind the port it was given "
	  "(htons(atoi(argv[1]))), or print the one it got (getsockname() after bind())." },
	/* how the program ended */
	{ "crash", CAUSE_ASPECT_NONE, "the program died of a signal",
	  "Look for a buffer indexed past its end, a NULL pointer (an unchecked fopen() "
	  "or malloc()), a double free, or a string function on bytes that are not "
	  "NUL-terminated." },
	{ "sigpipe-death", CAUSE_ASPECT_NONE, "the program was killed by SIGPIPE",
	  "Writing to a connection the peer has closed raises SIGPIPE: ignore it "
	  "(signal(SIGPIPE, SIG_IGN)) or send with MSG_NOSIGNAL, and handle EPIPE." },
	{ "hang", CAUSE_ASPECT_NONE, "the program was still running at the deadline",
	  "Every loop needs a way out: stop when read() returns 0 or -1, and never "
	  "wait for something the other side will not send." },
	{ "too-slow", CAUSE_ASPECT_NONE, "the program took too long to end",
	  "Once there is nothing left to do, close the socket and exit at once." },
	{ "exit-status", CAUSE_ASPECT_NONE, "the exit status was not 0 after a success",
	  "Return 0 from main() when everything went well." },
	{ "exit-0-on-error", CAUSE_ASPECT_NONE, "the program reported success after a failure",
	  "After a failed call (connect(), fopen(), ...), print why on standard error "
	  "and exit with a non-zero status." },
	{ "error-ignored", CAUSE_ASPECT_NONE, "the program went on after a call failed",
	  "Check the result of every call: when bind() fails (the port is in use) or "
	  "write()/send() returns -1, say why on standard error (perror()) and exit "
	  "non-zero, rather than go on as if it had worked." },
	{ "args-unchecked", CAUSE_ASPECT_NONE, "the program ran with arguments it cannot use",
	  "Check argc and each argument before using them: with too many arguments or a "
	  "port that is not a number (strtol() with an end pointer, not atoi()), print "
	  "a usage line on standard error and exit non-zero." },
	{ "spin", CAUSE_ASPECT_NONE, "the program retried a failing call forever",
	  "A call that returns -1 has failed (only EINTR means try again): close that "
	  "connection or stop; retrying it in a loop burns the CPU and never ends." },
	/* the aspects with their own case */
	{ "no-eof-exit", CAUSE_ASPECT_END_OF_INPUT, "the client did not end at the end of its input",
	  "When fgets() returns NULL (end of standard input), close the socket and exit 0; "
	  "don't send the last line again." },
	{ "quit-word", CAUSE_ASPECT_QUIT_WORD, "the client did not end on its quit word",
	  "Compare each line with the quit word before sending it (without its newline); "
	  "on a match, close the socket and exit 0." },
	{ "stderr-message", CAUSE_ASPECT_ERROR_TEXT, "no error message on standard error",
	  "Report a failure on standard error (perror(), fprintf(stderr, ...)), not on "
	  "standard output." },
	{ "no-reply", CAUSE_ASPECT_REPLY, "the client never sent its reply",
	  "After read() returns 0, write the reply (\"Thank you\") on the same socket, "
	  "then close." },
	{ "reply-format", CAUSE_ASPECT_REPLY, "the reply's bytes are not an accepted reply",
	  "Send \"Thank you\" followed by \\n, \\0, \\r\\n or nothing, as the protocol says "
	  "(or list your reply in the profile's reply:)." },
	{ "no-shutdown", CAUSE_ASPECT_HALF_CLOSE, "the server never ended the data (no EOF)",
	  "After the last write, call shutdown(sock, SHUT_WR): the client sees EOF and "
	  "the connection stays open for its reply." },
	{ "close-not-shutdown", CAUSE_ASPECT_HALF_CLOSE, "close() where shutdown() belongs",
	  "close() ends the connection both ways, so the client's reply meets a closed "
	  "socket; shutdown(sock, SHUT_WR), then read the reply, then close()." },
	{ "reply-not-read", CAUSE_ASPECT_HALF_CLOSE, "the server did not print the client's reply",
	  "After shutdown(SHUT_WR), read the reply until read() returns 0 and print it." },
	/* the data */
	{ "not-serving", CAUSE_ASPECT_NONE, "a client found no server to connect to",
	  "The server must go back to accept() after each client, whatever that client "
	  "did, and must not exit on an error of one connection." },
	{ "data-mismatch", CAUSE_ASPECT_NONE, "bytes arrived changed",
	  "Send exactly the bytes read() returned, with its count, in order, each once." },
	{ "binary-unsafe", CAUSE_ASPECT_NONE, "a NUL byte cut the data short",
	  "Binary data contains NUL bytes: use the count read() returned, never strlen(), "
	  "fputs() or printf(\"%s\")." },
	{ "lost-bytes", CAUSE_ASPECT_NONE, "fewer bytes arrived than were sent",
	  "Loop until every byte is sent and every byte is received: a single send() or "
	  "recv() may move only part of it." },
	{ "short-write", CAUSE_ASPECT_NONE, "a short write() was not continued",
	  "write()/send() may accept fewer bytes than asked: loop over the rest." },
	{ "unasked-bytes", CAUSE_ASPECT_NONE, "the server sent bytes nobody asked for",
	  "Send back only what you received from that client." },
	{ "echo-missing", CAUSE_ASPECT_NONE, "an echo was not printed whole",
	  "Receive exactly as many bytes as you sent (a recvn() loop) before printing them." },
	{ "echo-on-stderr", CAUSE_ASPECT_NONE, "the client printed its echoes on standard error",
	  "Print each echo on standard output (printf(), fputs(buf, stdout), write(1, ...)): "
	  "standard error is for error messages, and graders, pipes and the next program "
	  "read standard output." },
	{ "sent-bytes", CAUSE_ASPECT_NONE, "the client sent other bytes than its lines",
	  "Send exactly the line: the count fgets()/getline() gave (or strlen of the line), "
	  "not the whole buffer with its NUL and padding." },
	{ "prints-sent", CAUSE_ASPECT_NONE, "the client printed what it sent, not what came back",
	  "Print the buffer recv() filled, not the line read from standard input." },
	{ "no-close", CAUSE_ASPECT_NONE, "the client left its connection open",
	  "close() the socket when you are done." },
	{ "no-output-file", CAUSE_ASPECT_NONE, "the client wrote no output file",
	  "Create the output file before reading from the socket, or tell sockcheck its "
	  "name (profile: out)." },
	{ "short-read", CAUSE_ASPECT_NONE, "the client stopped reading before EOF",
	  "read() returns fewer bytes than asked long before the end: only 0 means the "
	  "end of the file." },
	{ "extra-bytes", CAUSE_ASPECT_NONE, "the output file is longer than the data",
	  "Write exactly the count read() returned, and never a negative count after a "
	  "failed read." },
	{ "partial-file", CAUSE_ASPECT_NONE, "an output file was left after a failure",
	  "When the transfer fails, don't leave a partial file that looks like a success." },
	{ "reply-before-eof", CAUSE_ASPECT_NONE, "the client replied before the end of the file",
	  "Reply only after read() has returned 0: a pause in the data is not its end." },
	{ "unexpected-reply", CAUSE_ASPECT_NONE, "the client replied where it should not",
	  "Reply only after a complete transfer ended by EOF." },
	{ "truncated-datagram", CAUSE_ASPECT_NONE, "a datagram came back cut short",
	  "recvfrom() into a buffer smaller than the datagram silently drops the rest: "
	  "receive into a buffer of 65507 bytes (the largest UDP payload) and use the "
	  "count recvfrom() returned." },
	{ "datagram-unanswered", CAUSE_ASPECT_NONE, "a datagram got no reply",
	  "Answer every datagram, whatever it holds (empty, binary, oversize), and never "
	  "exit on one: recvfrom() returning 0 is an empty datagram, not an end." },
	{ "reply-address", CAUSE_ASPECT_NONE, "a reply went elsewhere than to the datagram's sender",
	  "Send each reply to the address and port recvfrom() returned with that datagram, "
	  "from the socket it arrived on." },
	{ "no-receive-timeout", CAUSE_ASPECT_NONE, "the client waited forever for a lost reply",
	  "UDP may lose a datagram: set a receive timeout (SO_RCVTIMEO, or poll() with a "
	  "timeout), then send again or report the loss." },
	{ "ipv4-only", CAUSE_ASPECT_NONE, "the program works over IPv4 only",
	  "Servers: an AF_INET6 socket bound to in6addr_any with IPV6_V6ONLY 0 serves both "
	  "families. Clients: getaddrinfo() with AF_UNSPEC takes ::1 as well as 127.0.0.1." },
	{ "one-client-at-a-time", CAUSE_ASPECT_NONE, "a client waited while another was served",
	  "An iterative server returns to accept() only when its client leaves: serve each "
	  "client concurrently (fork() per client, a thread, or poll()/select() over them)." },
	{ "split-datagram", CAUSE_ASPECT_NONE, "a line went out as several datagrams",
	  "UDP keeps message boundaries: read the whole line (a buffer larger than any line, "
	  "or getline()) and send it with one sendto(), not piece by piece." },
	{ "unchecked-connect", CAUSE_ASPECT_NONE, "the client went on after connect() failed",
	  "Check connect()'s return value: on failure print why (perror()) and exit with a "
	  "non-zero status; a socket that never connected fails every send() and recv()." },
	{ "no-eintr-retry", CAUSE_ASPECT_NONE, "a read or write interrupted by a signal (EINTR) "
	  "was not retried",
	  "read()/recv() or write()/send() returning -1 with errno EINTR means a signal "
	  "interrupted it before anything moved, not that the connection failed: call it "
	  "again with the same bytes; never use -1 as a count." },
	{ "accept-error-exit", CAUSE_ASPECT_NONE, "the server exited when accept() failed",
	  "accept() can fail for reasons that concern one connection only (ECONNABORTED, "
	  "EINTR, EMFILE for a moment): report it and call accept() again." },
	{ "not-streamed", CAUSE_ASPECT_NONE, "the program held the whole file in memory",
	  "Write each buffer as it arrives (read, then write the count it returned): a "
	  "file of any size then needs one buffer of memory, not the file's size." },
	/* memcheck */
	{ "memory-error", CAUSE_ASPECT_NONE, "memcheck found a memory error",
	  "Read the memcheck finding: its file:line is where the invalid access or use of "
	  "an uninitialised value happened." },
	{ "leak", CAUSE_ASPECT_NONE, "memcheck found memory never freed",
	  "free() every buffer you malloc(), on every path, including each client's." },
};

_Static_assert(sizeof(table) / sizeof(table[0]) <= 64,
    "a scenario's target_causes holds one bit per cause");

const struct cause *
cause_table(unsigned *n)
{
	*n = (unsigned)(sizeof(table) / sizeof(table[0]));
	return table;
}

const struct cause *
cause_find(const char *id)
{
	if (id == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].id, id) == 0)
			return &table[i];
	return NULL;
}

static const char *const aspect_names[CAUSE_ASPECT_COUNT] = {
	NULL, "end-of-input", "quit-word", "reply", "error-text", "half-close",
};

const char *
cause_aspect_name(enum cause_aspect a)
{
	return (unsigned)a < CAUSE_ASPECT_COUNT ? aspect_names[a] : NULL;
}

int
cause_aspect_parse(const char *name)
{
	for (int a = 1; a < CAUSE_ASPECT_COUNT; a++)
		if (strcmp(aspect_names[a], name) == 0)
			return a;
	return -1;
}

enum cause_aspect
cause_aspect_of(const char *id)
{
	const struct cause *c = cause_find(id);
	return c ? c->aspect : CAUSE_ASPECT_NONE;
}

int
cause_index(const char *id)
{
	const struct cause *c = cause_find(id);
	return c ? (int)(c - table) : -1;
}
