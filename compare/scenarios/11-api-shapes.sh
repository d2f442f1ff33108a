#!/usr/bin/env bash
# INDEX 09: raw Engine API exchanges for networks (status lines, headers, bodies).
source "$SCENARIO_LIB"
N="cf-a-net cf-a-net2"
cleanup $N
sync_pool_cursor   # cf-a-net2 is pool-assigned
rec --name 'API GET /_ping' 'curl -s -i --unix-socket "$ENGINE_SOCK" http://localhost/_ping'
rec --name 'API HEAD /_ping' 'curl -s -I --unix-socket "$ENGINE_SOCK" http://localhost/_ping'
api POST /networks/create '{"Name":"cf-a-net","IPAM":{"Config":[{"Subnet":"10.91.0.0/24","Gateway":"10.91.0.1","IPRange":"10.91.0.128/25"}]}}'
api GET /networks/cf-a-net
api POST /networks/create '{"Name":"cf-a-net2","Driver":"","CheckDuplicate":false,"Labels":{"a":"b"},"Options":{"com.docker.network.driver.mtu":"1400"}}'
rec --name 'API GET /networks/cf-a-net2 (body)' 'curl -s --unix-socket "$ENGINE_SOCK" http://localhost/v1.41/networks/cf-a-net2'
api POST /networks/create '{"Name":"cf-a-x", nonsense'
api POST /networks/create 'null'
api GET /nosuchroute
rec --name 'API /v1.99' 'curl -s -i --unix-socket "$ENGINE_SOCK" http://localhost/v1.99/networks'
rec --name 'API /v1.11' 'curl -s -i --unix-socket "$ENGINE_SOCK" http://localhost/v1.11/networks'
rec --name 'API GET /networks names (sorted)' 'curl -s --unix-socket "$ENGINE_SOCK" http://localhost/v1.41/networks | python3 -c "import json,sys; print(sorted(n[\"Name\"] for n in json.load(sys.stdin)))"'
rec --name 'API GET /networks keys' 'curl -s --unix-socket "$ENGINE_SOCK" http://localhost/v1.41/networks | python3 -c "import json,sys; d=json.load(sys.stdin); print(sorted({tuple(n.keys()) for n in d}))"'
rec --name 'API GET /networks?filters=type=builtin' 'curl -s --unix-socket "$ENGINE_SOCK" "http://localhost/v1.41/networks?filters=%7B%22type%22%3A%5B%22builtin%22%5D%7D" | python3 -c "import json,sys; print(sorted(n[\"Name\"] for n in json.load(sys.stdin)))"'
api GET '/networks?filters=notjson'
rec --name 'API GET /networks/<12-char id>' 'curl -s -o /dev/null -w "%{http_code}\n" --unix-socket "$ENGINE_SOCK" http://localhost/v1.41/networks/$(docker network inspect -f "{{slice .Id 0 12}}" cf-a-net)'
api GET '/networks/cf-a-net?verbose=true'
api GET '/networks/cf-a-net?scope=swarm'
api POST /networks/cf-a-net/connect '{"Container":"cf-a-nosuch"}'
api DELETE /networks/cf-a-net
api DELETE /networks/cf-a-net2
rec --name 'API GET /info network fields' 'curl -s --unix-socket "$ENGINE_SOCK" http://localhost/v1.41/info | python3 -c "import json,sys; d=json.load(sys.stdin); print({k: d.get(k) for k in [\"DefaultAddressPools\",\"BridgeNfIptables\",\"IPv4Forwarding\"]}); print(d.get(\"Plugins\",{}).get(\"Network\"))"'
cleanup $N
