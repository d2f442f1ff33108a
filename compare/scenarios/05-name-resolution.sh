#!/usr/bin/env bash
# Seeds 000/001/002 + INDEX 04: names on a user network vs the default bridge.
source "$SCENARIO_LIB"
N="cf-r-a cf-r-b cf-r-c cf-r-d cf-r-e cf-r-s1 cf-r-s2 cf-r-net cf-r-net2"
cleanup $N
x 'docker network create --subnet 10.20.0.0/24 cf-r-net'
x 'docker network create --subnet 10.21.0.0/24 cf-r-net2'
rec 'docker run -d --name cf-r-a --network cf-r-net busybox sleep 600 >/dev/null; echo rc=$?'
rec 'docker run -d --name cf-r-b --network cf-r-net --hostname bhost --network-alias web --network-alias www busybox sleep 600 >/dev/null; echo rc=$?'
rec 'docker run -d --name cf-r-c --network cf-r-net2 busybox sleep 600 >/dev/null; echo rc=$?'
rec 'docker run -d --name cf-r-d busybox sleep 600 >/dev/null; docker run -d --name cf-r-e busybox sleep 600 >/dev/null; echo rc=$?'
wait_running cf-r-a; wait_running cf-r-b; wait_running cf-r-e
rec 'docker exec cf-r-a cat /etc/resolv.conf'
rec 'docker exec cf-r-a ping -c1 -W2 cf-r-b'
rec 'docker exec cf-r-b ping -c1 -W2 cf-r-a'
rec --sort 'docker exec cf-r-a nslookup cf-r-b 127.0.0.11'   # A and AAAA: printed in order of arrival
rec 'docker exec cf-r-a nslookup -type=a cf-r-b 127.0.0.11'
rec 'docker exec cf-r-a nslookup -type=a CF-R-B 127.0.0.11'
rec 'docker exec cf-r-a nslookup -type=a cf-r-b.cf-r-net 127.0.0.11'
rec 'docker exec cf-r-a nslookup -type=a $(docker inspect -f "{{slice .Id 0 12}}" cf-r-b) 127.0.0.11 | sed "s/[0-9a-f]\{12\}/SHORTID/"'
rec 'docker exec cf-r-a nslookup -type=a bhost 127.0.0.11'
rec 'docker exec cf-r-a nslookup -type=a web 127.0.0.11'
rec 'docker exec cf-r-a nslookup -type=a www 127.0.0.11'
rec 'docker exec cf-r-a nslookup -type=aaaa cf-r-b 127.0.0.11'
rec 'docker exec cf-r-a nslookup -type=a cf-r-c 127.0.0.11'
rec 'docker exec cf-r-a ping -c1 -W2 cf-r-c'
rec 'docker exec cf-r-a nslookup -type=a cf-r-b.cf-r-net2 127.0.0.11'
# busybox makes an in-addr.arpa query only without -type; `-type=ptr 10.20.0.3` asks PTR of the
# literal name "10.20.0.3" (Docker 20.10 drops that query: no reply).
rec 'docker exec cf-r-a nslookup 10.20.0.3 127.0.0.11'
rec 'docker exec cf-r-a nslookup 10.20.0.1 127.0.0.11'
rec 'docker exec cf-r-a nslookup -type=ptr 10.20.0.3 127.0.0.11'
rec 'docker inspect -f "{{json .NetworkSettings.Networks.cf-r-net.Aliases}}" cf-r-b | sed "s/[0-9a-f]\{12\}/SHORTID/"'
rec 'docker exec cf-r-a ping -c1 -W2 10.21.0.2'
note 'default bridge: no embedded DNS'
rec 'docker exec cf-r-e cat /etc/resolv.conf'
rec 'docker exec cf-r-e ping -c1 -W2 cf-r-d'
rec 'docker exec cf-r-e nslookup cf-r-d'
rec 'docker exec cf-r-e ping -c1 -W2 172.17.0.2'
note 'connect --alias, two containers with one alias'
rec 'docker network connect --alias db --alias database cf-r-net cf-r-c; echo rc=$?'
rec 'docker exec cf-r-a nslookup -type=a db 127.0.0.11'
rec 'docker exec cf-r-a ping -c1 -W2 cf-r-c'
rec 'docker run -d --name cf-r-s1 --network cf-r-net --network-alias svc busybox sleep 600 >/dev/null; docker run -d --name cf-r-s2 --network cf-r-net --network-alias svc busybox sleep 600 >/dev/null; echo rc=$?'
rec --sort 'docker exec cf-r-a nslookup -type=a svc 127.0.0.11'
note 'disconnect: names stop resolving'
rec 'docker network disconnect cf-r-net cf-r-b; docker exec cf-r-a nslookup -type=a cf-r-b 127.0.0.11'
rec 'docker network connect cf-r-net cf-r-b; docker exec cf-r-a nslookup -type=a cf-r-b 127.0.0.11'
rec 'docker stop -t0 cf-r-s1 >/dev/null; docker exec cf-r-a nslookup -type=a cf-r-s1 127.0.0.11'
cleanup $N
