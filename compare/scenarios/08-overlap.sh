#!/usr/bin/env bash
# INDEX 06: overlapping subnets (network-only).
source "$SCENARIO_LIB"
N="cf-o-a cf-o-b cf-o-c cf-o-d cf-o-e cf-o-f cf-o-g"
cleanup $N
rec 'docker network create --subnet 10.50.0.0/16 cf-o-a >/dev/null; echo rc=$?'
rec 'docker network create --subnet 10.50.1.0/24 cf-o-b'
rec 'docker network create --subnet 10.50.0.0/16 cf-o-c'
rec 'docker network create --subnet 10.0.0.0/8 cf-o-d'
rec 'docker network create --subnet 172.17.0.0/16 cf-o-e'
rec 'docker network create --subnet 172.17.5.0/24 cf-o-e'
rec 'docker network create --subnet 10.51.0.0/16 cf-o-f >/dev/null; echo rc=$?'
rec 'docker network create --subnet 10.64.0.5/24 cf-o-g >/dev/null; echo rc=$?; docker network inspect -f "{{json .IPAM.Config}}" cf-o-g'
rec 'docker network rm cf-o-a; docker network create --subnet 10.50.1.0/24 cf-o-b >/dev/null; echo rc=$?'
rec 'docker network ls --filter name=cf-o- --format "{{.Name}}"'
rec --sort 'docker network inspect -f "{{.Name}} {{range .IPAM.Config}}{{.Subnet}}{{end}}" $(docker network ls -q --filter name=cf-o-)'
api POST /networks/create '{"Name":"cf-o-c","IPAM":{"Config":[{"Subnet":"10.51.128.0/17"}]}}'
cleanup $N
