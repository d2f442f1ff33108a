#!/usr/bin/env bash
# Seeds 001/002 + INDEX 05/06: connect / disconnect, "has active endpoints".
source "$SCENARIO_LIB"
N="cf-c-box cf-c-box2 cf-c-stopped cf-c-net cf-c-pool"
cleanup $N
x 'docker network create --subnet 10.1.1.0/24 cf-c-net'
rec 'docker run -d --name cf-c-box busybox sleep 600 >/dev/null; echo rc=$?'
wait_running cf-c-box
rec 'docker network connect cf-c-net cf-c-box; echo rc=$?'
rec 'docker exec cf-c-box ip addr'
rec 'docker exec cf-c-box ip route'
rec 'docker exec cf-c-box cat /etc/hosts'
rec 'docker exec cf-c-box cat /etc/resolv.conf'
rec 'docker inspect -f "{{range \$k, \$v := .NetworkSettings.Networks}}{{\$k}}={{\$v.IPAddress}} {{end}}" cf-c-box'
rec 'docker network inspect -f "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}" cf-c-net'
rec 'docker network rm cf-c-net'
rec 'docker network connect cf-c-net cf-c-box'
rec 'docker network disconnect cf-c-net cf-c-box; echo rc=$?'
rec 'docker exec cf-c-box ip addr'
rec 'docker network disconnect cf-c-net cf-c-box'
rec 'docker network connect --ip 10.1.1.50 cf-c-net cf-c-box; docker inspect -f "{{json .NetworkSettings.Networks.cf-c-net.IPAMConfig}} {{.NetworkSettings.Networks.cf-c-net.IPAddress}}" cf-c-box'
rec 'docker exec cf-c-box ip -o addr show'
rec 'docker network disconnect cf-c-net cf-c-box; docker network connect --ip 10.9.9.9 cf-c-net cf-c-box'
rec 'docker network connect --ip 10.1.1.1 cf-c-net cf-c-box'
rec 'docker network connect --ip 10.1.1.999 cf-c-net cf-c-box'
rec 'docker network connect cf-c-nosuch cf-c-box'
rec 'docker network connect cf-c-net cf-c-nosuch'
rec 'docker network connect host cf-c-box'
x 'docker network create cf-c-pool'
rec 'docker network connect --ip 172.30.0.9 cf-c-pool cf-c-box'
rec 'docker network connect --alias foo bridge cf-c-box'
rec 'docker network disconnect bridge cf-c-box; echo rc=$?; docker exec cf-c-box ip -o addr show | awk "{print \$2, \$4}"'
rec 'docker inspect -f "{{.HostConfig.NetworkMode}} {{json .NetworkSettings.Networks}}" cf-c-box | sed "s/\"[A-Za-z]*ID\":\"[^\"]*\"//g"'
rec 'docker create --name cf-c-stopped busybox sleep 600 >/dev/null; docker network connect cf-c-net cf-c-stopped; echo rc=$?'
rec 'docker network inspect -f "{{len .Containers}}" cf-c-net'
rec 'docker start cf-c-stopped >/dev/null; docker exec cf-c-stopped ip -o -4 addr show | awk "{print \$2, \$4}"'
rec 'docker run -d --name cf-c-box2 --network cf-c-net --ip 10.1.1.77 busybox sleep 600 >/dev/null; docker exec cf-c-box2 ip -o -4 addr show eth0 | awk "{print \$2, \$4}"'
rec 'docker run -d --name cf-c-x --ip 172.17.0.99 busybox sleep 1; echo rc=$?; docker rm -f cf-c-x >/dev/null 2>&1'
rec 'docker network rm cf-c-net'
cleanup cf-c-box cf-c-box2 cf-c-stopped
rec 'docker network rm cf-c-net cf-c-pool'
cleanup $N
