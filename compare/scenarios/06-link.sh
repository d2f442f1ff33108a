#!/usr/bin/env bash
# Seed 002 (`--link tomcat02`) + INDEX 04: legacy links on the default bridge and on a user network.
source "$SCENARIO_LIB"
N="cf-l-a cf-l-b cf-l-c cf-l-d cf-l-u1 cf-l-u2 cf-l-stopped cf-l-net"
cleanup $N
rec 'docker run -d --name cf-l-a -e SECRET=s3cr3t --expose 80 busybox sleep 600 >/dev/null; echo rc=$?'
wait_running cf-l-a
rec 'docker run -d --name cf-l-b --link cf-l-a:aalias busybox sleep 600 >/dev/null; echo rc=$?'
rec 'docker run -d --name cf-l-c --link cf-l-a busybox sleep 600 >/dev/null; echo rc=$?'
wait_running cf-l-b; wait_running cf-l-c
rec 'docker exec cf-l-b cat /etc/hosts | sed "s/[0-9a-f]\{12\}/SHORTID/g"'
rec 'docker exec cf-l-c cat /etc/hosts | sed "s/[0-9a-f]\{12\}/SHORTID/g"'
rec 'docker exec cf-l-a cat /etc/hosts | sed "s/[0-9a-f]\{12\}/SHORTID/g"'
rec 'docker exec cf-l-b ping -c1 -W2 aalias'
rec 'docker exec cf-l-c ping -c1 -W2 cf-l-a'
rec 'docker exec cf-l-b env | grep -v HOSTNAME | sort'
rec 'docker exec cf-l-c env | grep -v HOSTNAME | sort'
rec 'docker inspect -f "{{json .HostConfig.Links}}" cf-l-b cf-l-c'
rec 'docker run -d --name cf-l-d --link cf-l-nosuch:x busybox sleep 1'
x 'docker create --name cf-l-stopped busybox sleep 600'
rec 'docker run -d --name cf-l-x --link cf-l-stopped:s busybox sleep 1; docker rm -f cf-l-x >/dev/null 2>&1'
x 'docker network create --subnet 10.30.0.0/24 cf-l-net'
rec 'docker run -d --name cf-l-u1 --network cf-l-net busybox sleep 600 >/dev/null; docker run -d --name cf-l-u2 --network cf-l-net --link cf-l-u1:ualias busybox sleep 600 >/dev/null; echo rc=$?'
wait_running cf-l-u2
rec 'docker exec cf-l-u2 nslookup -type=a ualias 127.0.0.11'
rec 'docker exec cf-l-u2 cat /etc/hosts | grep -c ualias'
rec 'docker exec cf-l-u2 env | grep -c UALIAS'
cleanup $N
