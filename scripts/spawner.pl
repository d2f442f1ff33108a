#!/usr/bin/perl
# Starts processes for tetherd, so that the daemon itself never forks.
#
# Node (libuv) starts a child with fork(), which copies the page tables of the whole daemon and
# blocks its event loop until the child has exec'd: ~1 ms for a fresh daemon, ~5 ms with 1000
# containers (and 5000 open files) behind it, six times on every container start. This process
# stays small, so its forks cost the same on the first container and on the thousandth.
#
# One line a message, fields split by single spaces, strings hex-encoded ("-" for none/empty).
# tetherd -> spawner (stdin):
#   S id flags fds argv env   start: flags "d" = new session (detached), "k" = killed when this
#                             helper ends (a watcher that must not outlive the daemon), or "-"; fds one letter a
#                             descriptor from 0: "p" pipe, "n" /dev/null; argv and env are
#                             comma-separated hex strings; env "-" is this process's environment,
#                             "+" and strings "K=V" add to it
#   W id hex                  write to the child's stdin        C id       close its stdin
#   K id signo                signal the child                  D id fd    drop an output pipe
# spawner -> tetherd (stdout):
#   P id pid                  started                           E id hex   could not start
#   O id fd hex               output                            Z id fd    output closed
#   X id code signo           reaped ("-" for the one that does not apply)
# Ends when its stdin closes (the daemon went away, even before this started); children run on
# (a container's monitor must), a holder waiting on its stdin ends with it, and a "k" child gets
# SIGKILL from the kernel (PR_SET_PDEATHSIG). perl-base is Essential in Debian: no module beyond it.
use strict;
use warnings;
use POSIX qw(:sys_wait_h setsid _exit dup2 EAGAIN EINTR);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK F_DUPFD);

$SIG{PIPE} = 'IGNORE';    # a child gone before reading its input must not end us
pipe(my $wake_r, my $wake_w) or die "spawner: pipe: $!\n";
nonblocking($_) for $wake_r, $wake_w;
$SIG{CHLD} = sub { syswrite($wake_w, 'x') };

my %child;    # id -> {pid, in, inbuf, close_in, out => {fd => handle}}
my %by_pid;   # pid -> id
my $requests = '';

sub nonblocking { my $fh = shift; fcntl($fh, F_SETFL, fcntl($fh, F_GETFL, 0) | O_NONBLOCK) or die "spawner: fcntl: $!\n" }
sub hex_of { my $s = shift; length($s) ? unpack('H*', $s) : '-' }
sub unhex { my $h = shift; $h eq '-' ? '' : pack('H*', $h) }

sub reply {
    my $line = join(' ', @_) . "\n";
    while (length $line) {
        my $n = syswrite(STDOUT, $line);
        if (!defined $n) { next if $! == EINTR; exit 0 }    # the daemon is gone
        substr($line, 0, $n) = '';
    }
}

sub start {
    my ($id, $flags, $fds, $argv, $env) = @_;
    my @argv = map { unhex($_) } split /,/, $argv;
    my (@ends, %out, $in);
    for my $fd (0 .. length($fds) - 1) {
        if (substr($fds, $fd, 1) eq 'p') {
            pipe(my $r, my $w) or return reply('E', $id, hex_of("pipe: $!"));
            if ($fd == 0) { $ends[$fd] = $r; $in = $w; nonblocking($w) }
            else { $ends[$fd] = $w; $out{$fd} = $r; nonblocking($r) }
        } else {
            open($ends[$fd], $fd == 0 ? '<' : '>', '/dev/null') or return reply('E', $id, hex_of("/dev/null: $!"));
        }
    }
    pipe(my $err_r, my $err_w) or return reply('E', $id, hex_of("pipe: $!"));    # close-on-exec
    my $helper = $$;
    my $pid = fork();
    return reply('E', $id, hex_of("fork: $!")) unless defined $pid;
    if ($pid == 0) {
        $SIG{CHLD} = $SIG{PIPE} = 'DEFAULT';
        setsid() if $flags =~ /d/;
        die_with_helper($err_w, $helper) if $flags =~ /k/;
        # Out of the way first: an end may already sit on a descriptor number another one needs.
        my @high = map { fcntl($_, F_DUPFD, 64) // child_fail($err_w, "dup: $!") } @ends;
        dup2($high[$_], $_) // child_fail($err_w, "dup2: $!") for 0 .. $#high;
        POSIX::close($_) for @high;
        if ($env =~ s/^\+//) {
            for (split /,/, $env) { my ($k, $v) = split /=/, unhex($_), 2; $ENV{$k} = $v }
        }
        { no warnings 'exec'; exec { $argv[0] } @argv; }
        child_fail($err_w, "$!");
    }
    close($_) for @ends, $err_w;
    my $why = '';    # empty at end of file: the exec closed the pipe
    for (;;) {
        my $n = sysread($err_r, $why, 4096, length $why);
        next if !defined $n && $! == EINTR;
        last unless $n;
    }
    close($err_r);
    if (length $why) {
        waitpid($pid, 0);
        close($_) for values %out, grep { defined } $in;
        return reply('E', $id, hex_of($why));
    }
    $child{$id} = { pid => $pid, in => $in, inbuf => '', close_in => 0, out => \%out };
    $by_pid{$pid} = $id;
    reply('P', $id, $pid);
}

sub child_fail { my ($w, $why) = @_; syswrite($w, $why); _exit(127) }

# prctl(2) by syscall number: perl-base has no syscall.ph. Where the number is unknown the child
# is refused rather than started without the guarantee.
my %SYS_prctl = (x86_64 => 157, aarch64 => 167, riscv64 => 167);
sub die_with_helper {
    my ($w, $helper) = @_;
    my $nr = $SYS_prctl{ (POSIX::uname())[4] } // child_fail($w, 'PR_SET_PDEATHSIG: unknown architecture');
    syscall($nr, 1, 9) == 0 or child_fail($w, "prctl: $!");    # PR_SET_PDEATHSIG, SIGKILL
    _exit(0) if getppid() != $helper;    # we were already orphaned before the prctl took effect
}

sub flush_in {
    my $c = shift;
    return unless $c->{in};
    while (length $c->{inbuf}) {
        my $n = syswrite($c->{in}, $c->{inbuf});
        if (!defined $n) { return if $! == EAGAIN || $! == EINTR; $c->{inbuf} = ''; last }    # EPIPE: it stopped reading
        substr($c->{inbuf}, 0, $n) = '';
    }
    if ($c->{close_in}) { close($c->{in}); $c->{in} = undef }
}

sub request {
    my ($op, $id, @f) = split / /, shift;
    if ($op eq 'S') { return start($id, @f) }
    my $c = $child{$id} or return;
    if ($op eq 'W') { $c->{inbuf} .= unhex($f[0]); flush_in($c) }
    elsif ($op eq 'C') { $c->{close_in} = 1; flush_in($c) }
    elsif ($op eq 'K') { kill($f[0], $c->{pid}) }
    elsif ($op eq 'D') { my $fh = delete $c->{out}{ $f[0] }; close($fh) if $fh; forget($id) }
}

# A child is done with once reaped and all its output pipes closed.
sub forget {
    my $id = shift;
    my $c = $child{$id};
    return if $c->{pid} || %{ $c->{out} };
    close($c->{in}) if $c->{in};
    delete $child{$id};
}

sub reap {
    while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
        my $id = delete $by_pid{$pid} // next;
        my $st = $?;
        reply('X', $id, WIFEXITED($st) ? (WEXITSTATUS($st), '-') : ('-', WTERMSIG($st)));
        $child{$id}{pid} = 0;
        forget($id);
    }
}

for (;;) {
    my ($rin, $win) = ('', '');
    vec($rin, fileno(STDIN), 1) = 1;
    vec($rin, fileno($wake_r), 1) = 1;
    for my $c (values %child) {
        vec($rin, fileno($_), 1) = 1 for values %{ $c->{out} };
        vec($win, fileno($c->{in}), 1) = 1 if $c->{in} && length $c->{inbuf};
    }
    my $n = select(my $rout = $rin, my $wout = $win, undef, undef);
    if ($n < 0) { next if $! == EINTR; die "spawner: select: $!\n" }
    if (vec($rout, fileno($wake_r), 1)) { my $x; 1 while sysread($wake_r, $x, 512); reap() }
    for my $id (keys %child) {
        my $c = $child{$id};
        flush_in($c) if $c->{in} && vec($wout, fileno($c->{in}), 1);
        for my $fd (sort keys %{ $c->{out} }) {
            my $fh = $c->{out}{$fd};
            next unless vec($rout, fileno($fh), 1);
            my $got = sysread($fh, my $buf, 65536);
            next if !defined $got && ($! == EAGAIN || $! == EINTR);
            if ($got) { reply('O', $id, $fd, hex_of($buf)); next }
            reply('Z', $id, $fd);
            close($fh);
            delete $c->{out}{$fd};
        }
        forget($id);
    }
    if (vec($rout, fileno(STDIN), 1)) {
        my $got = sysread(STDIN, $requests, 65536, length $requests);
        if (!defined $got) { next if $! == EINTR || $! == EAGAIN; exit 0 }
        exit 0 if $got == 0;
        while ((my $nl = index($requests, "\n")) >= 0) {
            my $line = substr($requests, 0, $nl + 1, '');
            chomp $line;
            request($line);
        }
        reap();
    }
}
