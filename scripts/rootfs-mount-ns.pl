#!/usr/bin/perl
# Runs a container's monitor (conmon) in a mount namespace of its own, with the container's
# overlay root filesystem mounted there and nowhere else:
#
#   rootfs-mount-ns.pl HIDE TARGET OPTIONS PROGRAM [ARG...]
#
#   HIDE     a mount point to detach first ("-" for none): /sys/fs/cgroup/unified on hosts with
#            hybrid cgroups, which crun 1.8.1 refuses to run on
#   TARGET   where the overlay goes (the bundle's rootfs directory)
#   OPTIONS  the overlay's lowerdir=…,upperdir=…,workdir=… string (checked by tetherd)
#
# Why: every mount in the daemon's namespace is copied into each new container's namespace and
# torn down again at pivot_root, so a rootfs mount per container in the host made every start
# slower than the one before (1000 containers: +50 ms). Here the host keeps none, and the mount
# dies with the last process of the namespace (conmon and the container), so nothing is left to
# unmount. Raw syscalls, no mount(8): libmount reads the whole mount table on every call.
# perl-base is Essential in Debian; its start-up costs ~1 ms. Arguments only, never script text.
use strict;
use warnings;
use Config;

my %syscalls = (    # unshare, mount, umount2
    'x86_64'  => [ 272, 165, 166 ],
    'aarch64' => [ 97,  40,  39 ],
);
my ($arch) = $Config{archname} =~ /^([^-]+)/;
my $nr = $syscalls{$arch} or die "rootfs-mount-ns: no syscall numbers for $Config{archname}\n";
my ($SYS_unshare, $SYS_mount, $SYS_umount2) = @$nr;
use constant { CLONE_NEWNS => 0x00020000, MS_REC => 0x4000, MS_PRIVATE => 0x40000, MNT_DETACH => 2 };

@ARGV >= 4 or die "usage: rootfs-mount-ns.pl HIDE TARGET OPTIONS PROGRAM [ARG...]\n";
my ($hide, $target, $options, @program) = @ARGV;
# syscall() passes strings by address and wants them in writable variables.
my ($none, $root, $overlay) = ('none', '/', 'overlay');

syscall($SYS_unshare, CLONE_NEWNS) == 0 or die "rootfs-mount-ns: unshare: $!\n";
# Private first: neither the detach below nor the overlay may propagate back to the host.
syscall($SYS_mount, $none, $root, 0, MS_REC | MS_PRIVATE, 0) == 0 or die "rootfs-mount-ns: make / private: $!\n";
if ($hide ne '-') {
    syscall($SYS_umount2, $hide, MNT_DETACH) == 0 or die "rootfs-mount-ns: umount $hide: $!\n";
}
syscall($SYS_mount, $overlay, $target, $overlay, 0, $options) == 0
    or die "rootfs-mount-ns: mount overlay at $target: $!\n";
exec { $program[0] } @program or die "rootfs-mount-ns: exec $program[0]: $!\n";
