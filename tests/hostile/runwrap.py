#!/usr/bin/env python3
"""Run one command (a `sockcheck run`) and watch what it leaves behind.

    runwrap.py [options] -- COMMAND...

The command runs in its own process group; this wrapper is a child
subreaper (PR_SET_CHILD_SUBREAPER), so any process the command orphans
(daemons, double forks) is re-parented here and can be seen after the
command has ended. Written to --out (a file of shell assignments):

    rc=N            the command's exit status (128+sig when killed by one)
    elapsed=S       seconds from start to its end
    timed_out=0|1   it had to be killed after --timeout
    leftovers='..'  processes still alive 0.3 s after the end: "pid:comm ..."
                    (then killed, so the test leaves nothing behind either)
    tmp_left='..'   (--private-tmp) entries of the private /tmp after the end
    marker_moving=0|1   (--marker) the file's mtime changed after the end
    sample=N        (--sample NAME@S) processes named NAME at S seconds
    signal_at=S     (--signal SIG@S) when the signal was sent
    private_tmp=0|1 whether the private /tmp could be set up
    orphans=N       processes of the command that were orphaned (re-parented
                    here) and ended during the run

Options:
    --timeout S         SIGKILL the command's group after S seconds
    --signal SIG@S      send SIG (INT, TERM) to the command (its pid) at S seconds
    --private-tmp       a private mount namespace with an empty tmpfs on /tmp
                        (root only; silently not done otherwise)
    --keep DIR          (repeatable) with --private-tmp, DIR stays visible at its
                        own path when it lies under /tmp (a checkout or build
                        directory there); not counted in tmp_left
    --marker PATH       after the end: does PATH keep changing (0.6 s watch)?
    --sample NAME@S     count processes whose comm is NAME at S seconds
    --no-reap           do not reap orphans during the run (shows that sockcheck
                        then waits for ever: sbx_close's waits have no deadline)
    --hold-port P       listen on 127.0.0.1:P (and [::]:P) during the command
    --stdout F --stderr F   where the command's output goes
"""
import ctypes
import os
import shlex
import signal
import socket
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
CLONE_NEWNS = 0x00020000
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_BIND = 4096


def comm_of(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return "?"


def stat_of(pid):
    """(state, ppid) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(")") + 2:].split()
    return rest[0], int(rest[1])


def all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def descendants(root):
    """Live (non-zombie) processes below `root`."""
    children = {}
    for pid in all_pids():
        st = stat_of(pid)
        if st is None or st[0] == "Z":
            continue
        children.setdefault(st[1], []).append(pid)
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def under_tmp(path):
    real = os.path.realpath(path)
    return real if real.startswith("/tmp/") else None


def private_tmp(keep):
    """An empty tmpfs on /tmp, with the directories `keep` (those under /tmp)
    bound back at their own paths: they are reached through descriptors
    opened before the mount hides them."""
    if os.geteuid() != 0:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        return False
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    held = []
    for d in keep:
        real = under_tmp(d)
        if real and os.path.isdir(real):
            held.append((real, os.open(real, os.O_PATH | os.O_DIRECTORY)))
    if libc.mount(b"tmpfs", b"/tmp", b"tmpfs", 0, b"mode=1777,size=1g") != 0:
        return False
    ok = True
    for real, fd in held:
        os.makedirs(real, exist_ok=True)
        src = ("/proc/self/fd/%d" % fd).encode()
        if libc.mount(src, real.encode(), None, MS_BIND | MS_REC, None) != 0:
            ok = False
        os.close(fd)
    return ok


def main(argv):
    opts = {"timeout": 60.0, "signal": None, "private_tmp": False, "marker": None,
            "sample": None, "hold_port": None, "stdout": os.devnull, "stderr": os.devnull,
            "out": None, "no_reap": False}
    keep = []
    i = 0
    while i < len(argv) and argv[i] != "--":
        a = argv[i]
        key = a[2:].replace("-", "_")
        if key in ("private_tmp", "no_reap"):
            opts[key] = True
            i += 1
            continue
        if key == "keep" and i + 1 < len(argv):
            keep.append(argv[i + 1])
            i += 2
            continue
        if key not in opts or i + 1 >= len(argv):
            sys.exit("runwrap: bad option %s" % a)
        opts[key] = argv[i + 1]
        i += 2
    cmd = argv[i + 1:]
    if not cmd or not opts["out"]:
        sys.exit("usage: runwrap.py --out FILE [options] -- COMMAND...")

    res = {"rc": -1, "elapsed": 0.0, "timed_out": 0, "leftovers": "", "tmp_left": "",
           "marker_moving": 0, "sample": -1, "signal_at": -1, "private_tmp": 0,
           "orphans": 0}
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    if opts["private_tmp"]:
        res["private_tmp"] = int(private_tmp(keep))
    held = []
    if opts["hold_port"]:
        for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            try:
                s = socket.socket(fam, socket.SOCK_STREAM)
                s.bind((addr, int(opts["hold_port"])))
                s.listen(16)
                held.append(s)
            except OSError:
                pass
    sig = sig_at = None
    if opts["signal"]:
        name, at = opts["signal"].split("@")
        sig, sig_at = getattr(signal, "SIG" + name), float(at)
    sample_name = sample_at = None
    if opts["sample"]:
        sample_name, at = opts["sample"].split("@")
        sample_at = float(at)

    with open(opts["stdout"], "wb") as fo, open(opts["stderr"], "wb") as fe:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        rc = None
        while True:
            # reap like an init would: zombies re-parented here during the run
            # must not wait (a PID namespace's teardown waits for them)
            while rc is None:
                try:
                    pid, st = os.waitpid(p.pid if opts["no_reap"] else -1, os.WNOHANG)
                except ChildProcessError:
                    pid = 0
                if pid == 0:
                    break
                if pid == p.pid:
                    rc = os.waitstatus_to_exitcode(st)
                    p.returncode = rc
                else:
                    res["orphans"] += 1
            t = time.monotonic() - t0
            if rc is not None:
                break
            if sig is not None and t >= sig_at:
                os.kill(p.pid, sig)
                res["signal_at"] = round(t, 3)
                sig = None
            if sample_name is not None and t >= sample_at:
                res["sample"] = sum(1 for q in all_pids() if comm_of(q) == sample_name)
                sample_name = None
            if t >= float(opts["timeout"]):
                os.killpg(p.pid, signal.SIGKILL)
                res["timed_out"] = 1
                _, st = os.waitpid(p.pid, 0)
                rc = os.waitstatus_to_exitcode(st)
                break
            time.sleep(0.01)
        res["elapsed"] = round(time.monotonic() - t0, 3)
    res["rc"] = rc if rc >= 0 else 128 - rc
    for s in held:
        s.close()

    # what is left: give the kernel a moment to tear namespaces down
    deadline = time.monotonic() + 0.3
    left = []
    while True:
        reap()
        left = descendants(os.getpid())
        if not left or time.monotonic() >= deadline:
            break
        time.sleep(0.02)
    res["leftovers"] = " ".join("%d:%s" % (q, comm_of(q)) for q in left)
    if opts["marker"]:
        try:
            m1 = os.stat(opts["marker"]).st_mtime_ns
            time.sleep(0.6)
            m2 = os.stat(opts["marker"]).st_mtime_ns
            res["marker_moving"] = int(m1 != m2)
        except OSError:
            res["marker_moving"] = 0
    for q in left:
        try:
            os.kill(q, signal.SIGKILL)
        except OSError:
            pass
    time.sleep(0.05)
    reap()
    if res["private_tmp"]:
        # the kept directories' top entries are ours, not leftovers
        ours = {under_tmp(d).split("/")[2] for d in keep if under_tmp(d)}
        res["tmp_left"] = " ".join(sorted(set(os.listdir("/tmp")) - ours))
    with open(opts["out"], "w") as f:
        for k, v in res.items():
            f.write("%s=%s\n" % (k, shlex.quote(str(v))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
