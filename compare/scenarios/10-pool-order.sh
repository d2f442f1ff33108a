#!/usr/bin/env bash
# INDEX 08: pool-assigned subnets, in Docker's order (next-fit cursor; freed pools not reused at
# once; some failed creates advance the cursor too). Each failing create below is followed by a
# pool-assigned create, so the transcript shows which failures moved the cursor.
# sync_pool_cursor first puts the cursor in the same place on every engine (the first probe gets
# 172.18.0.0/16), so the scenarios run before (and their failed creates) do not shift all subnets.
source "$SCENARIO_LIB"
N="cf-p-01 cf-p-02 cf-p-03 cf-p-04 cf-p-05 cf-p-06 cf-p-x cf-p-v6"
k=0
p() { k=$((k+1)); x "docker network rm cf-p-probe$k"; rec --name "probe $k after: $1" "docker network create cf-p-probe$k >/dev/null; docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}' cf-p-probe$k; docker network rm cf-p-probe$k >/dev/null"; }
cleanup $N
sync_pool_cursor
p start
for i in 01 02 03 04; do
  rec "docker network create cf-p-$i >/dev/null; docker network inspect -f '{{.Name}} {{json .IPAM.Config}}' cf-p-$i"
done
rec 'docker network rm cf-p-02 >/dev/null; docker network create cf-p-05 >/dev/null; docker network inspect -f "{{.Name}} {{json .IPAM.Config}}" cf-p-05'
p 'rm of cf-p-02 (freed pool not reused)'
rec 'docker network create --ipv6 cf-p-x'; p '--ipv6 without subnet (fails)'
rec 'docker network create --subnet fd00:7::/64 cf-p-v6 >/dev/null; docker network inspect -f "{{json .IPAM.Config}}" cf-p-v6'; p 'v6-only subnet (v4 pool added)'
rec 'docker network create -o com.docker.network.bridge.name=cfp0123456789abcdef cf-p-x'; p 'bridge.name too long (fails)'
rec 'docker network create -o com.docker.network.driver.mtu=abc cf-p-x'; p 'mtu=abc (fails)'
rec 'docker network create -d ipvlan cf-p-x'; p 'ipvlan without parent (fails)'
rec 'docker network create -d overlay cf-p-x'; p 'overlay (fails)'
rec 'docker network create cf-p-01'; p 'duplicate name (fails)'
rec 'docker network create --subnet 10.77.0.0/33 cf-p-x'; p 'bad subnet (fails)'
rec 'docker network create --config-only cf-p-x >/dev/null; echo rc=$?; docker network rm cf-p-x >/dev/null'; p 'config-only'
rec 'docker network create --internal cf-p-x >/dev/null; echo rc=$?; docker network rm cf-p-x >/dev/null'; p 'internal'
cleanup $N
