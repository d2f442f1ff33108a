#!/usr/bin/env bash
# INDEX 08: pool-assigned subnets, in Docker's order (cursor; freed pools not reused at once).
# Runs after the scenarios above on a fresh daemon, so the cursor position is the same everywhere.
source "$SCENARIO_LIB"
N="cf-p-01 cf-p-02 cf-p-03 cf-p-04 cf-p-05 cf-p-06"
cleanup $N
for i in 01 02 03 04; do
  rec "docker network create cf-p-$i >/dev/null; docker network inspect -f '{{.Name}} {{json .IPAM.Config}}' cf-p-$i"
done
rec 'docker network rm cf-p-02 >/dev/null; docker network create cf-p-05 >/dev/null; docker network inspect -f "{{.Name}} {{json .IPAM.Config}}" cf-p-05'
rec 'docker network create --ipv6 cf-p-x; docker network create cf-p-06 >/dev/null; docker network inspect -f "{{.Name}} {{json .IPAM.Config}}" cf-p-06'
cleanup $N
