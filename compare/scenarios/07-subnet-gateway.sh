#!/usr/bin/env bash
# Seed 001 (`--subnet=10.1.1.0/24 --gateway=10.1.1.1`) + INDEX 03: addresses containers get.
source "$SCENARIO_LIB"
N="cf-s-a cf-s-b cf-s-c cf-s-d cf-s-net cf-s-range cf-s-aux cf-s-gw"
cleanup $N
x 'docker network create --driver=bridge cf-s-net --subnet=10.1.1.0/24 --gateway=10.1.1.1'
x 'docker network create --subnet 10.2.0.0/16 --ip-range 10.2.5.0/24 cf-s-range'
x 'docker network create --subnet 10.3.0.0/24 --aux-address host1=10.3.0.2 --aux-address host2=10.3.0.3 cf-s-aux'
x 'docker network create --subnet 10.4.0.0/24 --gateway 10.4.0.254 --ip-range 10.4.0.128/25 cf-s-gw'
rec 'docker run -d --name cf-s-a --network cf-s-net busybox sleep 600 >/dev/null; docker exec cf-s-a ip -o -4 addr show eth0 | awk "{print \$4}"; docker exec cf-s-a ip route'
rec 'docker run -d --name cf-s-b --network cf-s-range busybox sleep 600 >/dev/null; docker exec cf-s-b ip -o -4 addr show eth0 | awk "{print \$4}"; docker exec cf-s-b ip route'
rec 'docker run -d --name cf-s-c --network cf-s-aux busybox sleep 600 >/dev/null; docker exec cf-s-c ip -o -4 addr show eth0 | awk "{print \$4}"'
rec 'docker run -d --name cf-s-x --network cf-s-aux --ip 10.3.0.2 busybox sleep 600 >/dev/null; echo rc=$?; docker inspect -f "{{.State.Status}}" cf-s-x; docker rm -f cf-s-x >/dev/null 2>&1'
rec 'docker run -d --name cf-s-d --network cf-s-gw busybox sleep 600 >/dev/null; docker exec cf-s-d ip -o -4 addr show eth0 | awk "{print \$4}"; docker exec cf-s-d ip route'
rec 'docker inspect -f "{{range \$k, \$v := .NetworkSettings.Networks}}{{\$k}} {{\$v.IPAddress}}/{{\$v.IPPrefixLen}} gw={{\$v.Gateway}}{{end}}" cf-s-a cf-s-b cf-s-c cf-s-d'
rec 'docker run -d --name cf-s-x --network cf-s-net --ip 10.1.1.1 busybox sleep 1; echo rc=$?; docker rm -f cf-s-x >/dev/null 2>&1'
rec 'docker run -d --name cf-s-x --network cf-s-net --ip 10.1.1.200 busybox sleep 600 >/dev/null; docker exec cf-s-x ip -o -4 addr show eth0 | awk "{print \$4}"; docker rm -f cf-s-x >/dev/null 2>&1'
rec 'docker exec cf-s-a ping -c1 -W2 10.1.1.1'
cleanup $N
