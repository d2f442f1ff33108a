#!/usr/bin/perl
# Bridges tetherd's pipes and conmon's attach socket, which Node cannot open (AF_UNIX
# SOCK_SEQPACKET). Two uses, both with fixed argv (nothing is interpreted by a shell):
#
#   attach-relay.pl [--tty] DIR
#       Attach to a running container's conmon (docker attach, run -i, start -ai): DIR/attach.
#   attach-relay.pl --tty DIR --exec CONMON-ARGV...
#       Run an exec session with a terminal: starts CONMON-ARGV (conmon --exec --exec-attach -t
#       -b DIR …) and attaches to it before the process starts, so no output is lost (conmon's
#       handshake, as Podman's attachToExec: conmon waits for a first start message, makes the
#       socket, says so on _OCI_ATTACHPIPE, and runs `<runtime> exec` on a second start message).
#       conmon reports the process's pid and exit code on the caller's _OCI_SYNCPIPE, which it
#       inherits from us; it is killed when this relay dies (so, with tetherd).
#
# The protocol (conmon's conn_sock.c): every packet we send is written to the process's stdin
# (its pipe, or its terminal); shutting down our write side closes that stdin unless conmon runs
# with --leave-stdin-open. conmon sends every output chunk as a packet whose first byte names the
# pipe (2 stdout, 3 stderr: conmon's stdpipe_t); we write the rest to our stdout or stderr.
# With --tty, the end of our input is not passed on: a terminal has no half-close.
# Exits when conmon closes the connection (the process has exited and its output is drained),
# with conmon's exit code in exec mode, 0 otherwise. perl-base only (Essential in Debian).
use strict;
use warnings;
use Socket qw(AF_UNIX SOCK_SEQPACKET SHUT_WR pack_sockaddr_un);
use POSIX qw(_exit dup2 EAGAIN EINTR ENOENT ECONNREFUSED WIFEXITED WEXITSTATUS WTERMSIG);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK F_DUPFD O_RDONLY O_WRONLY);

use constant { PACKET => 8192, CONNECT_TRIES => 100, CONNECT_PAUSE => 0.05, STDOUT_PIPE => 2, STDERR_PIPE => 3 };
my %SYS_prctl = (x86_64 => 157, aarch64 => 167, riscv64 => 167);

$SIG{PIPE} = 'IGNORE';
my $tty = @ARGV && $ARGV[0] eq '--tty' ? shift(@ARGV) : undef;
my $dir = shift(@ARGV) // usage();
my @conmon;
if (@ARGV) {
    usage() unless shift(@ARGV) eq '--exec' && @ARGV;
    @conmon = @ARGV;
}

sub usage { print STDERR "usage: attach-relay.pl [--tty] DIR [--exec CONMON-ARGV...]\n"; exit 2 }
sub fail { print STDERR "attach-relay: $_[0]\n"; exit 1 }

# Exec mode: conmon as our child; its start and attach pipes are ours, the sync pipe (fd 3) the caller's.
my ($pid, $start_w);
if (@conmon) {
    pipe(my $start_r, $start_w) or fail("pipe: $!");
    pipe(my $attach_r, my $attach_w) or fail("pipe: $!");
    my $parent = $$;
    $pid = fork() // fail("fork: $!");
    if ($pid == 0) {
        my $nr = $SYS_prctl{ (POSIX::uname())[4] };
        if (!defined $nr || syscall($nr, 1, 9) != 0) { print STDERR "attach-relay: cannot tie conmon to this relay\n"; _exit(127) }
        _exit(0) if getppid() != $parent;    # orphaned before the prctl took effect
        my @high = map { fcntl($_, F_DUPFD, 64) } $start_r, $attach_w;
        dup2($high[0], 4) // _exit(127);
        dup2($high[1], 5) // _exit(127);
        POSIX::close($_) for @high;
        my $null = POSIX::open('/dev/null', POSIX::O_RDWR()) // _exit(127);
        dup2($null, 0);
        dup2($null, 1);
        @ENV{qw(_OCI_STARTPIPE _OCI_ATTACHPIPE)} = (4, 5);
        { no warnings 'exec'; exec { $conmon[0] } @conmon; }
        print STDERR "attach-relay: $conmon[0]: $!\n";
        _exit(127);
    }
    close($start_r);
    close($attach_w);
    POSIX::close(3);    # conmon's copy of the sync pipe is the one that counts
    start_message();    # conmon may now set up the socket
    my $ready = '';
    while ($ready !~ /\n/) {
        my $n = sysread($attach_r, $ready, 256, length $ready);
        next if !defined $n && $! == EINTR;
        finish() unless $n;    # conmon failed before the socket was there; it said why on the sync pipe
    }
    close($attach_r);
}

my $sock = connect_socket();
if ($start_w) { start_message(); close($start_w); undef $start_w }
nonblocking($sock);

my ($in_open, $pending, $out_open) = (1, '', 1);
while ($out_open) {
    my ($rin, $win) = ('', '');
    vec($rin, 0, 1) = 1 if $in_open && !length $pending;
    vec($rin, fileno($sock), 1) = 1;
    vec($win, fileno($sock), 1) = 1 if length $pending;
    my $n = select(my $rout = $rin, my $wout = $win, undef, undef);
    if ($n < 0) { next if $! == EINTR; fail("select: $!") }
    if (vec($rout, fileno($sock), 1)) {
        my $got = sysread($sock, my $packet, 65536);
        if (!defined $got) { next if $! == EAGAIN || $! == EINTR; last }
        last if $got == 0;    # conmon closed: the process has exited
        my $pipe = ord(substr($packet, 0, 1, ''));
        emit($pipe == STDERR_PIPE ? \*STDERR : \*STDOUT, $packet);
    }
    if (vec($rout, 0, 1)) {
        my $got = sysread(STDIN, $pending, PACKET);
        if (!defined $got) { next if $! == EAGAIN || $! == EINTR; $got = 0 }
        if ($got == 0) {
            $in_open = 0;
            shutdown($sock, SHUT_WR) unless $tty;    # conmon closes the process's stdin (StdinOnce)
        }
    }
    if (length $pending && (vec($wout, fileno($sock), 1) || vec($rout, 0, 1))) {
        my $sent = send($sock, $pending, 0);    # one packet: conmon reads it whole
        if (defined $sent) { $pending = '' }
        elsif ($! != EAGAIN && $! != EINTR) { $pending = ''; $in_open = 0 }    # conmon stopped reading input
    }
}
finish();

sub start_message {
    my $n;
    do { $n = syswrite($start_w, '0') } while (!defined $n && $! == EINTR);
}

sub nonblocking { my $fh = shift; fcntl($fh, F_SETFL, fcntl($fh, F_GETFL, 0) | O_NONBLOCK) or fail("fcntl: $!") }

# Blocking: tetherd's pace is the client's.
sub emit {
    my ($fh, $data) = @_;
    while (length $data) {
        my $n = syswrite($fh, $data);
        if (!defined $n) { next if $! == EINTR; return }    # tetherd stopped reading; keep relaying input
        substr($data, 0, $n) = '';
    }
}

# Through /proc/self/fd: sun_path holds 108 bytes, DIR may be longer (conmon binds the same way).
# The socket may not listen yet when a container is still starting: retried for a few seconds.
sub connect_socket {
    opendir(my $dh, $dir) or fail("$dir: $!");
    my $path = '/proc/self/fd/' . fileno($dh) . '/attach';
    for my $try (1 .. CONNECT_TRIES) {
        socket(my $s, AF_UNIX, SOCK_SEQPACKET, 0) or fail("socket: $!");
        return $s if connect($s, pack_sockaddr_un($path));
        fail("$dir/attach: $!") if ($! != ENOENT && $! != ECONNREFUSED) || $try == CONNECT_TRIES || $pid;
        close($s);
        select(undef, undef, undef, CONNECT_PAUSE);
    }
}

sub finish {
    exit 0 unless $pid;
    my $st;
    do { $st = waitpid($pid, 0) } while ($st < 0 && $! == EINTR);
    exit(WIFEXITED($?) ? WEXITSTATUS($?) : 128 + WTERMSIG($?));
}
