#!/bin/sh
# Builds busybox:latest as a `docker save` archive (docker-archive format) from Debian's
# busybox-static, with no network. Usage: build-busybox-image.sh OUTPUT.tar
#
# The image matches the reference recording's busybox (docs: reference/docker/INDEX.md): one
# layer, Config {} (no Env, no Cmd). Output is byte-for-byte deterministic for a given busybox
# binary: fixed owners, modes, order and mtimes; the date is SOURCE_DATE_EPOCH or, by default,
# the busybox binary's own mtime (set by its Debian package).
set -eu

out=${1:?usage: build-busybox-image.sh OUTPUT.tar}
busybox=$(readlink -f "${BUSYBOX:-/bin/busybox}")
epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$busybox")}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 022
root=$work/rootfs
mkdir -p "$root"
cd "$root"

mkdir -p bin dev etc home proc root sys tmp usr/sbin var/spool/mail var/www
chmod 0700 root
chmod 1777 tmp
cp "$busybox" bin/busybox
chmod 0755 bin/busybox
# Every applet as a hard link to the one binary, as the official busybox image does.
for applet in $(bin/busybox --list); do
  [ "$applet" = busybox ] || ln bin/busybox "bin/$applet"
done

cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
cat >etc/group <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
EOF
echo 'hosts: files dns' >etc/nsswitch.conf
# Mount targets for the files the engine bind-mounts over them.
: >etc/hosts
: >etc/resolv.conf
: >etc/hostname

deterministic_tar() { # deterministic_tar OUTPUT DIR
  tar --create --file "$1" --directory "$2" --sort=name --format=gnu \
    --owner=0 --group=0 --numeric-owner --mtime="@$epoch" .
}

image=$work/image
mkdir -p "$image"
deterministic_tar "$work/layer.tar" "$root"
diff_hex=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir -p "$image/$diff_hex"
mv "$work/layer.tar" "$image/$diff_hex/layer.tar"
printf '1.0' >"$image/$diff_hex/VERSION"

printf '{"architecture":"%s","config":{},"created":"%s","history":[{"created":"%s","created_by":"build-busybox-image.sh"}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$arch" "$created" "$created" "$diff_hex" >"$work/config.json"
config_hex=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$image/$config_hex.json"

printf '[{"Config":"%s.json","RepoTags":["busybox:latest"],"Layers":["%s/layer.tar"]}]' \
  "$config_hex" "$diff_hex" >"$image/manifest.json"
printf '{"busybox":{"latest":"%s"}}' "$diff_hex" >"$image/repositories"

cd - >/dev/null
deterministic_tar "$work/out.tar" "$image"
mv "$work/out.tar" "$out"
echo "sha256:$config_hex"
