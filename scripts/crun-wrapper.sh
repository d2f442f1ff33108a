#!/bin/sh
# crun 1.8.1 refuses to run when a cgroup2 hierarchy is mounted at /sys/fs/cgroup/unified
# ("cgroups in hybrid mode not supported"). Run it in a private mount namespace where that
# mount is gone; the host keeps its mount. tetherd passes this file to conmon as the runtime
# (-r) only on such hosts. Every argument is passed through untouched as "$@".
exec unshare --mount --propagation private \
  sh -c 'umount /sys/fs/cgroup/unified && exec crun "$@"' crun-wrapper "$@"
