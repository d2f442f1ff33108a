#!/usr/bin/env bash
# The container half of the demo (called by demo.sh with TETHER_HOST set): issue 3's scenario
# and the seeds' name-resolution scenario, with the tether CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

tar=$(mktemp /tmp/tether-busybox-XXXXXX.tar)
bash scripts/build-busybox-image.sh "$tar" >/dev/null
say tether load -i "$tar"
rm -f "$tar"
say tether images

say tether run -d --name box busybox sleep 1000
say tether run -d --name other busybox sleep 1000
other_ip=$(tether inspect -f '{{.NetworkSettings.IPAddress}}' other)
say tether exec box ping -c1 "$other_ip"
say tether exec box ip addr show eth0
say tether run --rm --network none busybox ip addr
say tether run --rm --network container:box busybox ip addr show eth0

say tether network create custom_net
say tether network connect custom_net box
say tether exec box ip addr show eth1
say tether network disconnect custom_net box

say tether run -d --name custombox1 --network custom_net busybox sleep 1000
say tether run -d --name custombox2 --network custom_net busybox sleep 1000
say tether exec custombox1 ping -c1 custombox2
say tether exec custombox1 nslookup custombox2 127.0.0.11
echo "(on the default bridge names do not resolve:)"
tether exec box ping -c1 other || true
say tether run --rm --link other:alias busybox ping -c1 alias

say tether run -d --name web -p 8080:80 busybox httpd -f -p 80 -h /etc
say tether ps
say tether port web
echo "curl http://127.0.0.1:8080/hostname from the daemon's namespace:"
nsenter --net=/run/netns/tether-demo -- curl -s --max-time 2 http://127.0.0.1:8080/hostname

say tether rm -f box other custombox1 custombox2 web
say tether network rm custom_net
