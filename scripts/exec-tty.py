#!/usr/bin/python3
# `docker exec -t` for tetherd: runs the runtime's `exec --tty` and copies between the container's
# terminal and this process's stdin/stdout. Node can neither receive file descriptors nor make
# a terminal; tetherd talks to this helper over plain pipes instead:
#   fd 0  input for the terminal          fd 1  the terminal's output (raw bytes)
#   fd 2  the runtime's own errors        fd 3  window sizes, one "ROWS COLS\n" line each
#
# Two ways to reach the container's terminal, chosen by tetherd per runtime:
#   --console-socket-at K  (crun) `--console-socket PATH` is inserted before RUNTIME-ARGV[K]; the
#       runtime sends the terminal's master over PATH (SCM_RIGHTS, as to conmon) and waits for
#       the process. We hold the master: later sizes are set on it directly. The first size must
#       be there before the process looks: crun copies it from its stdin when that is a terminal,
#       right after the process is made, so its stdin is a small terminal of that size.
#   otherwise (runc, which ignores --console-socket unless detached): the runtime runs on a
#       terminal of ours and copies between it and the container's; a size set on ours reaches
#       it as SIGWINCH and it resizes the container's (crun 1.8 only forwards SIGWINCH instead).
#
# Usage (fixed argv, nothing is interpreted by a shell):
#   exec-tty.py ROWS COLS [--console-socket-at K] -- RUNTIME-ARGV...
# ROWS/COLS 0 keep the default size. Exits with the runtime's exit code (the process's, 128+N
# for a signal) once the output written before the exit has been copied.
import errno
import fcntl
import os
import select
import shutil
import socket
import struct
import sys
import tempfile
import termios
import tty

CONTROL_FD = 3
CHUNK = 65536


def set_size(fd, rows, cols):
    if 0 < rows < 65536 and 0 < cols < 65536:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))


def start(cmd, terminal=None, stdin=None):
    """Forks the runtime: on `terminal` as its controlling terminal, or with just its stdin."""
    pid = os.fork()
    if pid != 0:
        return pid
    try:
        if terminal is not None:
            os.setsid()
            fcntl.ioctl(terminal, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(terminal, fd)
        else:
            os.dup2(stdin, 0)
        os.closerange(3, 65536)
        os.execvp(cmd[0], cmd)
    except OSError as e:
        os.write(2, f'exec-tty: {cmd[0]}: {e.strerror}\n'.encode())
    os._exit(127)


class Runtime:
    """The forked runtime and, once it has exited, its exit code."""

    def __init__(self, pid):
        self.pid = pid
        self.code = None

    def poll(self, block=False):
        if self.code is None:
            done, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            if done != 0:
                code = os.waitstatus_to_exitcode(status)
                self.code = 128 - code if code < 0 else code
        return self.code


def receive_master(listener, runtime):
    """The terminal the runtime sends over the console socket; None if it exits first."""
    while runtime.poll() is None:
        r, _, _ = select.select([listener], [], [], 0.1)
        if r:
            conn, _ = listener.accept()
            with conn:
                _, fds, _, _ = socket.recv_fds(conn, 1024, 1)
            if fds:
                return fds[0]
    return None


def read_master(master):
    """b'' once nothing holds the terminal's other side any more, None when nothing is there now."""
    try:
        return os.read(master, CHUNK)
    except BlockingIOError:
        return None
    except OSError as e:
        if e.errno != errno.EIO:
            raise
        return b''


def emit(data):
    try:
        os.write(1, data)  # blocking: tetherd's pace is the client's
    except BrokenPipeError:
        pass  # tetherd stopped reading; keep the process going to its end


def copy(master, runtime):
    os.set_blocking(master, False)
    control = CONTROL_FD
    try:
        os.fstat(control)
    except OSError:
        control = -1
    stdin_open = True
    to_master = b''  # input the terminal has not taken yet
    control_buf = b''
    while runtime.poll() is None:
        readers = [master]
        if stdin_open and len(to_master) < CHUNK:
            readers.append(0)
        if control >= 0:
            readers.append(control)
        # The timeout notices the runtime's exit while a leftover process still holds the terminal.
        r, w, _ = select.select(readers, [master] if to_master else [], [], 0.2)
        if master in w:
            try:
                to_master = to_master[os.write(master, to_master):]
            except BlockingIOError:
                pass
        if master in r:
            data = read_master(master)
            if data == b'':
                break
            if data:
                emit(data)
        if 0 in r:
            data = os.read(0, CHUNK)
            if data:
                to_master += data
            else:
                # A terminal has no half-close: the process sees input end only when it exits.
                stdin_open = False
        if control >= 0 and control in r:
            data = os.read(control, 4096)
            if not data:
                control = -1
            control_buf += data
            *lines, control_buf = control_buf.split(b'\n')
            for line in lines:
                parts = line.split()
                if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
                    set_size(master, int(parts[0]), int(parts[1]))
    # The process has exited: what it wrote before is in the terminal already.
    while True:
        data = read_master(master)
        if not data:
            break
        emit(data)


def main():
    args = sys.argv[1:]
    try:
        rows, cols = int(args[0]), int(args[1])
        socket_at = int(args[3]) if args[2] == '--console-socket-at' else None
        cmd = args[5:] if socket_at is not None else args[3:]
        if args[4 if socket_at is not None else 2] != '--' or not cmd:
            raise ValueError
    except (IndexError, ValueError):
        sys.stderr.write('usage: exec-tty.py ROWS COLS [--console-socket-at K] -- RUNTIME-ARGV...\n')
        return 2

    if socket_at is not None:
        tmp = tempfile.mkdtemp(prefix='tether-exec-')  # short: sun_path holds 108 bytes
        try:
            path = os.path.join(tmp, 'console')
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(path)
            listener.listen(1)
            sizer, sizer_slave = os.openpty()
            set_size(sizer, rows, cols)
            runtime = Runtime(start(cmd[:socket_at] + ['--console-socket', path] + cmd[socket_at:], stdin=sizer_slave))
            os.close(sizer_slave)
            master = receive_master(listener, runtime)
            listener.close()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if master is not None:
            copy(master, runtime)
        os.close(sizer)
    else:
        master, slave = os.openpty()
        set_size(master, rows, cols)
        tty.setraw(slave)  # the runtime copies bytes; the container's terminal does the rest
        runtime = Runtime(start(cmd, terminal=slave))
        os.close(slave)
        copy(master, runtime)
    return runtime.poll(block=True)


if __name__ == '__main__':
    sys.exit(main())
