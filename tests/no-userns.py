"""Run a command where no user namespace can be had, as in a Docker
container with its default seccomp profile: unshare() and clone() with
CLONE_NEWUSER fail with EPERM, clone3() with ENOSYS (glibc then falls back
to clone(), as there). A seccomp filter (with no_new_privs), inherited by
every process the command starts.

Usage: python3 tests/no-userns.py COMMAND [ARG...]
"""
import ctypes
import os
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
AUDIT_ARCH_X86_64 = 0xC000003E
NR_CLONE, NR_UNSHARE, NR_CLONE3 = 56, 272, 435
CLONE_NEWUSER = 0x10000000
EPERM, ENOSYS = 1, 38

# BPF: ld/jeq/jset/ret (classic BPF, struct sock_filter: u16 code, u8 jt, u8 jf, u32 k)
LD_W_ABS, JEQ_K, JSET_K, RET_K = 0x20, 0x15, 0x45, 0x06


def insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


prog = [
    insn(LD_W_ABS, 0, 0, 4),                    # 0: arch
    insn(JEQ_K, 0, 7, AUDIT_ARCH_X86_64),       # 1: another arch: allow (8)
    insn(LD_W_ABS, 0, 0, 0),                    # 2: syscall number
    insn(JEQ_K, 6, 0, NR_CLONE3),               # 3: clone3 -> ENOSYS (10)
    insn(JEQ_K, 1, 0, NR_UNSHARE),              # 4: unshare -> flags (6)
    insn(JEQ_K, 0, 2, NR_CLONE),                # 5: not clone -> allow (8)
    insn(LD_W_ABS, 0, 0, 16),                   # 6: args[0], low 32 bits
    insn(JSET_K, 1, 0, CLONE_NEWUSER),          # 7: CLONE_NEWUSER -> EPERM (9)
    insn(RET_K, 0, 0, SECCOMP_RET_ALLOW),       # 8
    insn(RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM),   # 9
    insn(RET_K, 0, 0, SECCOMP_RET_ERRNO | ENOSYS),  # 10
]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if os.uname().machine != "x86_64":
        sys.exit("no-userns.py: x86_64 only")
    code = b"".join(prog)
    buf = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("HxxxxxxQ", len(prog), ctypes.addressof(buf))
    fbuf = ctypes.create_string_buffer(fprog, len(fprog))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong,
                           ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0 or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fbuf), 0, 0) != 0:
        sys.exit("no-userns.py: seccomp: %s" % os.strerror(ctypes.get_errno()))
    os.execvp(sys.argv[1], sys.argv[1:])


main()
