#!/usr/bin/env bash
# Seeds 000/003/004 + INDEX 01: the three predefined networks.
source "$SCENARIO_LIB"
rec 'docker network ls'
rec 'docker network ls --filter type=builtin'
rec 'docker network ls --format "{{.Name}} {{.Driver}} {{.Scope}}"'
rec 'docker network ls -q | wc -l'
rec 'docker network inspect bridge'
rec 'docker network inspect host'
rec 'docker network inspect none'
rec 'docker network inspect -f "{{.Name}} {{.Driver}} {{json .IPAM}} {{.Internal}} {{.Attachable}}" bridge host none'
rec 'docker inspect --type network bridge --format "{{json .Options}}"'
rec 'docker network inspect $(docker network ls -q --filter name=^bridge$) --format "{{.Name}}"'
rec 'docker network ls --filter driver=null'
rec 'docker network ls --filter name=o'
