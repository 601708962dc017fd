#include <stdio.h>
#include <string.h>

#include "wcap.h"
#include "wview.h"

int
wview_case_load(const struct res_case *c, struct wire *w, struct wview *v, struct sc_err *err)
{
	char path[4096];
	struct wview_case vc;

	memset(w, 0, sizeof(*w));
	memset(v, 0, sizeof(*v));
	if (!c->captured || c->case_dir == NULL)
		return sc_err_set(err, "no capture: %s", wview_case_no_capture(c));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", c->case_dir, WCAP_FILE) >= sizeof(path))
		return sc_err_set(err, "%s: path too long", c->case_dir);
	if (wire_read(path, c->t0_real, c->t_stop, w, err) < 0)
		return -1;
	vc.protocol = c->protocol;
	vc.role = c->role;
	vc.port = c->port;
	vc.t_stall = c->t_stall;
	vc.t_stop = c->t_stop;
	vc.student_end = NULL;
	for (size_t i = 0; i < c->nprocs; i++) {
		const struct res_proc *p = &c->procs[i];
		if (strcmp(p->role, "student") == 0 && p->started && !p->killed && !p->exited &&
		    p->signal)
			vc.student_end = "died of a signal";
	}
	if (wview_build(w, &vc, v) < 0) {
		wire_free(w);
		return sc_err_set(err, "%s: out of memory", path);
	}
	return 0;
}

const char *
wview_case_no_capture(const struct res_case *c)
{
	const char *n = c->capture_note ? c->capture_note : "unknown";
	return strncmp(n, "no capture: ", 12) == 0 ? n + 12 : n;
}

void
wview_case_evidence(const struct res_case *c, const char *student_end, char *buf, size_t len)
{
	struct wire w;
	struct wview v;
	struct sc_err err;

	if (len)
		buf[0] = '\0';
	if (wview_case_load(c, &w, &v, &err) < 0)
		return;
	v.c.student_end = student_end;
	wview_evidence(&v, buf, len);
	wview_free(&v);
	wire_free(&w);
}
