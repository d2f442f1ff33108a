#!/usr/bin/env bash
# Seeds 003/004 + INDEX 02: bridge / host / none / container:X.
source "$SCENARIO_LIB"
N="cf-m-bridge cf-m-host cf-m-none cf-m-dep cf-m-def"
cleanup $N
rec 'docker run -d --name cf-m-def busybox sleep 600 >/dev/null; echo rc=$?'
rec 'docker run -d --name cf-m-bridge --network bridge busybox sleep 600 >/dev/null; echo rc=$?'
wait_running cf-m-bridge
rec 'docker exec cf-m-bridge ip addr'
rec 'docker exec cf-m-bridge ip route'
rec 'docker exec cf-m-bridge cat /etc/hosts'
rec 'docker exec cf-m-bridge cat /etc/resolv.conf'
rec 'test "$(docker exec cf-m-bridge cat /etc/hostname)" = "$(docker inspect -f "{{slice .Id 0 12}}" cf-m-bridge)" && echo hostname=short-id'
rec 'docker inspect -f "{{.HostConfig.NetworkMode}} {{.NetworkSettings.IPAddress}} {{.NetworkSettings.IPPrefixLen}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.MacAddress}}" cf-m-def cf-m-bridge'
rec 'mac=$(docker inspect -f "{{.NetworkSettings.MacAddress}}" cf-m-bridge); ip=$(docker inspect -f "{{.NetworkSettings.IPAddress}}" cf-m-bridge); set -- $(echo $ip | tr . " "); test "$mac" = "$(printf "02:42:%02x:%02x:%02x:%02x" $1 $2 $3 $4)" && echo mac-derived-from-ip || echo "mac not 02:42+ip"'
rec 'docker inspect -f "{{range \$k, \$v := .NetworkSettings.Networks}}{{\$k}} ip={{\$v.IPAddress}}/{{\$v.IPPrefixLen}} gw={{\$v.Gateway}} aliases={{\$v.Aliases}} dns={{\$v.DNSNames}}{{end}}" cf-m-bridge'
rec 'docker exec cf-m-bridge ping -c1 -W2 172.17.0.2'
rec 'docker run -d --name cf-m-host --network host busybox sleep 600 >/dev/null; echo rc=$?'
wait_running cf-m-host
rec 'docker exec cf-m-host ip addr show lo'
rec 'docker exec cf-m-host cat /etc/resolv.conf'
rec 'docker inspect -f "{{.HostConfig.NetworkMode}} [{{.NetworkSettings.IPAddress}}] {{range \$k, \$v := .NetworkSettings.Networks}}{{\$k}} ep={{if \$v.EndpointID}}set{{end}} ip=[{{\$v.IPAddress}}]{{end}}" cf-m-host'
rec 'docker run -d --name cf-m-none --network none busybox sleep 600 >/dev/null; echo rc=$?'
wait_running cf-m-none
rec 'docker exec cf-m-none ip addr'
rec 'docker exec cf-m-none ip route'
rec 'docker exec cf-m-none cat /etc/hosts'
rec 'docker inspect -f "{{.HostConfig.NetworkMode}} {{range \$k, \$v := .NetworkSettings.Networks}}{{\$k}} ep={{if \$v.EndpointID}}set{{end}} ip=[{{\$v.IPAddress}}]{{end}}" cf-m-none'
rec 'docker run -d --name cf-m-dep --network container:cf-m-bridge busybox sleep 600 >/dev/null; echo rc=$?'
wait_running cf-m-dep
rec 'diff <(docker exec cf-m-bridge ip addr) <(docker exec cf-m-dep ip addr) && echo same-interfaces'
rec 'diff <(docker exec cf-m-bridge cat /etc/hosts /etc/resolv.conf /etc/hostname) <(docker exec cf-m-dep cat /etc/hosts /etc/resolv.conf /etc/hostname) && echo same-files'
rec 'test "$(docker inspect -f "{{.HostConfig.NetworkMode}}" cf-m-dep)" = "container:$(docker inspect -f "{{.Id}}" cf-m-bridge)" && echo networkmode=container:full-id'
rec 'docker inspect -f "[{{.NetworkSettings.SandboxID}}] [{{.NetworkSettings.SandboxKey}}] {{json .NetworkSettings.Networks}}" cf-m-dep'
rec --sort 'docker network inspect -f "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{println}}{{end}}" bridge'
rec 'docker run -d --name cf-m-x -p 8081:80 --network host busybox true >/dev/null; echo rc=$?; docker rm -f cf-m-x >/dev/null'
rec 'docker run -d --name cf-m-x --network container:cf-m-bridge -p 80 busybox true; echo rc=$?; docker rm -f cf-m-x >/dev/null 2>&1'
rec 'docker run -d --name cf-m-x --network container:cf-m-bridge --dns 1.2.3.4 busybox true; echo rc=$?; docker rm -f cf-m-x >/dev/null 2>&1'
rec 'docker run -d --name cf-m-x --network container:cf-m-bridge --hostname foo busybox true; echo rc=$?; docker rm -f cf-m-x >/dev/null 2>&1'
rec 'docker run -d --name cf-m-x --network container:cf-m-nosuch busybox true >/dev/null; echo rc=$?; docker inspect -f "{{.State.Status}}" cf-m-x; docker rm -f cf-m-x >/dev/null 2>&1'
cleanup $N
rec --sort 'docker ps -a --format "{{.Names}}"'
