#!/usr/bin/env bash
# Seeds 001/002/004 + INDEX 03: user-defined bridge networks, create / inspect / rm.
source "$SCENARIO_LIB"
N="cf-u-net cf-u-net2 cf-u-sub cf-u-range cf-u-aux cf-u-int cf-u-lbl cf-u-opt cf-u-mtu cf-u-br cf-u-v6"
cleanup $N
rec 'docker network create cf-u-net | wc -c'
rec 'docker network inspect cf-u-net'
rec 'docker network inspect -f "{{json .IPAM}}" cf-u-net'
rec 'docker network create --driver bridge cf-u-net2 >/dev/null; docker network ls --filter name=cf-u- --format "{{.Name}} {{.Driver}} {{.Scope}}"'
rec 'docker network create --driver=bridge cf-u-sub --subnet=10.1.1.0/24 --gateway=10.1.1.1 >/dev/null; docker network inspect cf-u-sub'
rec 'docker network create --subnet 10.2.0.0/16 --ip-range 10.2.5.0/24 cf-u-range >/dev/null; docker network inspect -f "{{json .IPAM.Config}}" cf-u-range'
rec 'docker network create --subnet 10.3.0.0/24 --aux-address host1=10.3.0.2 --aux-address host2=10.3.0.3 cf-u-aux >/dev/null; docker network inspect -f "{{json .IPAM.Config}}" cf-u-aux'
rec 'docker network create --internal cf-u-int >/dev/null; docker network inspect -f "{{.Internal}} {{json .IPAM.Config}}" cf-u-int'
rec 'docker network create --label env=test --label team=net cf-u-lbl >/dev/null; docker network inspect -f "{{json .Labels}}" cf-u-lbl'
rec 'docker network create -o com.docker.network.bridge.nosuch=1 cf-u-opt >/dev/null; docker network inspect -f "{{json .Options}}" cf-u-opt'
rec 'docker network create -o com.docker.network.driver.mtu=1400 cf-u-mtu >/dev/null; docker network inspect -f "{{json .Options}}" cf-u-mtu'
rec 'docker network create -o com.docker.network.bridge.name=cfbr0 cf-u-br >/dev/null; docker network inspect -f "{{json .Options}}" cf-u-br'
rec 'docker network create --ipv6 --subnet fd00:1::/64 cf-u-v6 >/dev/null; docker network inspect -f "{{.EnableIPv6}} {{json .IPAM.Config}}" cf-u-v6'
rec 'docker network ls --filter name=cf-u- --format "{{.Name}}"'
rec 'docker network ls --filter label=env=test --format "{{.Name}}"'
rec 'docker network ls --filter dangling=true --filter name=cf-u- --format "{{.Name}}" | sort'
rec 'docker network inspect -f "{{.Name}}" $(docker network inspect -f "{{slice .Id 0 12}}" cf-u-net)'
rec 'docker network rm cf-u-net cf-u-net2 cf-u-nosuch'
rec 'docker network rm cf-u-sub cf-u-range cf-u-aux cf-u-int cf-u-lbl cf-u-opt cf-u-mtu cf-u-br cf-u-v6'
rec 'docker network ls --filter name=cf-u- --format "{{.Name}}"'
cleanup $N
