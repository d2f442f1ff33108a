#!/usr/bin/python3
# Input for an attached container (`docker run -i`, `docker start -ai`, `docker attach`):
# copies this process's stdin to conmon's attach socket, BUNDLE/attach.
#
# Why a helper: the attach socket is AF_UNIX SOCK_SEQPACKET, which Node cannot open. conmon's
# protocol (conn_sock.c, as Podman uses it): every packet a client sends is written raw to the
# container's stdin (its pipe, or its terminal with -t); a client that shuts down its write side
# makes conmon close the container's stdin unless conmon runs with --leave-stdin-open (docker's
# StdinOnce=false). conmon also sends every output chunk to each attached client as a packet
# whose first byte is the stream (1 stdout, 2 stderr); tetherd reads output from the log, so
# they are read and dropped here: an unread socket would fill and stall conmon's writes.
#
# Usage (fixed argv, nothing is interpreted by a shell):  attach-stdin.py BUNDLE
# Exits once stdin has ended and conmon has closed the connection (the container exited), or
# at once when conmon closes first. The socket may not be listening yet (the container is
# starting): connecting is retried for a few seconds.
import errno
import os
import socket
import sys
import threading
import time

PACKET = 8192  # below conmon's receive buffer: a SEQPACKET larger than it would be cut
CONNECT_TRIES = 100
CONNECT_PAUSE_S = 0.05


def connect(bundle):
    # The path through /proc/self/fd keeps sun_path short however deep the bundle is (conmon
    # binds the socket the same way).
    dirfd = os.open(bundle, os.O_PATH | os.O_DIRECTORY)
    path = f'/proc/self/fd/{dirfd}/attach'
    for attempt in range(CONNECT_TRIES):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            s.connect(path)
            return s
        except OSError as e:
            s.close()
            if e.errno not in (errno.ENOENT, errno.ECONNREFUSED) or attempt == CONNECT_TRIES - 1:
                raise
            time.sleep(CONNECT_PAUSE_S)
    raise OSError(errno.ETIMEDOUT, 'attach socket not ready')


def drain(s):
    try:
        while s.recv(65536):
            pass
    except OSError:
        pass
    # conmon closed the connection: the container has exited, there is nothing to feed.
    os._exit(0)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write('usage: attach-stdin.py BUNDLE\n')
        return 2
    try:
        s = connect(sys.argv[1])
    except OSError as e:
        sys.stderr.write(f'attach-stdin: {sys.argv[1]}/attach: {e.strerror}\n')
        return 1
    threading.Thread(target=drain, args=(s,), daemon=True).start()
    try:
        while True:
            data = os.read(0, PACKET)
            if not data:
                break
            s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    except OSError:
        return 0  # conmon went away with the container
    threading.Event().wait()  # drain() exits the process when conmon closes
    return 0


if __name__ == '__main__':
    sys.exit(main())
