// Golden test of the whole table for one state: any change to the generated ruleset shows up
// here as a diff to review. Kernel acceptance and behaviour are in nft-firewaller.kernel.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tryParseCidr, tryParseIp, type Cidr, type Ip } from '../../ipam/address.js';
import type { FirewallState } from '../firewaller.js';
import { rebuildBatch, tableName } from './ruleset.js';

const ip = (s: string): Ip => tryParseIp(s) ?? assert.fail(s);
const cidr = (s: string): Cidr => tryParseCidr(s) ?? assert.fail(s);

const GOLDEN_STATE: FirewallState = {
  networks: [
    // Host bits in the subnet are kept by Docker; the ruleset uses the masked network.
    { id: 'n1', bridge: 'br-0123456789ab', subnets: [cidr('172.18.0.5/16'), cidr('fd00:1::/64')], internal: false, icc: false, masquerade: true },
    { id: 'n2', bridge: 'br-internal', subnets: [cidr('10.9.0.0/24')], internal: true, icc: true, masquerade: true },
  ],
  ports: [
    { networkId: 'n1', proto: 'tcp', hostIp: ip('0.0.0.0'), hostPort: 8080, containerIp: ip('172.18.0.2'), containerPort: 80 },
    { networkId: 'n1', proto: 'udp', hostIp: ip('127.0.0.1'), hostPort: 5353, containerIp: ip('172.18.0.2'), containerPort: 53 },
    { networkId: 'n1', proto: 'sctp', hostIp: ip('::'), hostPort: 9000, containerIp: ip('fd00:1::2'), containerPort: 9 },
    { networkId: 'n1', proto: 'tcp', hostIp: ip('::1'), hostPort: 8443, containerIp: ip('fd00:1::2'), containerPort: 443 },
  ],
};

const GOLDEN = `add table inet tether
add chain inet tether user
add set inet tether bridges { type ifname; }
add set inet tether bridge_self { type ifname . ifname; }
add set inet tether bridge_nets4 { type ifname . ipv4_addr; flags interval; }
add set inet tether bridge_nets6 { type ifname . ipv6_addr; flags interval; }
add set inet tether internal { type ifname; }
add set inet tether icc_off { type ifname; }
add set inet tether masq4 { type ipv4_addr; flags interval; }
add set inet tether masq6 { type ipv6_addr; flags interval; }
add map inet tether ports4_any { type inet_proto . inet_service : ipv4_addr . inet_service; }
add map inet tether ports6_any { type inet_proto . inet_service : ipv6_addr . inet_service; }
add map inet tether ports4_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
add map inet tether ports6_addr { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }
add set inet tether open4 { type ipv4_addr . inet_proto . inet_service; }
add set inet tether open6 { type ipv6_addr . inet_proto . inet_service; }
add chain inet tether published4
add chain inet tether published6
add chain inet tether nat-prerouting { type nat hook prerouting priority dstnat; policy accept; }
add chain inet tether nat-output { type nat hook output priority -100; policy accept; }
add chain inet tether nat-postrouting { type nat hook postrouting priority srcnat; policy accept; }
add chain inet tether forward { type filter hook forward priority filter; policy accept; }
add chain inet tether input { type filter hook input priority filter; policy accept; }
flush chain inet tether published4
flush chain inet tether published6
flush chain inet tether nat-prerouting
flush chain inet tether nat-output
flush chain inet tether nat-postrouting
flush chain inet tether forward
flush chain inet tether input
flush set inet tether bridges
flush set inet tether bridge_self
flush set inet tether bridge_nets4
flush set inet tether bridge_nets6
flush set inet tether internal
flush set inet tether icc_off
flush set inet tether masq4
flush set inet tether masq6
flush map inet tether ports4_any
flush map inet tether ports6_any
flush map inet tether ports4_addr
flush map inet tether ports6_addr
flush set inet tether open4
flush set inet tether open6
add rule inet tether published4 dnat ip to ip daddr . meta l4proto . th dport map @ports4_addr
add rule inet tether published4 dnat ip to meta l4proto . th dport map @ports4_any
add rule inet tether published6 dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports6_addr
add rule inet tether published6 dnat ip6 to meta l4proto . th dport map @ports6_any
add rule inet tether nat-prerouting ip daddr != 127.0.0.0/8 fib daddr type local jump published4
add rule inet tether nat-prerouting ip6 daddr != ::1 fib daddr type local jump published6
add rule inet tether nat-output meta nfproto ipv4 fib daddr type local jump published4
add rule inet tether nat-output ip6 daddr != ::1 fib daddr type local jump published6
add rule inet tether nat-postrouting ct status dnat oifname . ip saddr @bridge_nets4 masquerade
add rule inet tether nat-postrouting ct status dnat oifname . ip6 saddr @bridge_nets6 masquerade
add rule inet tether nat-postrouting ct status dnat ip saddr 127.0.0.0/8 masquerade
add rule inet tether nat-postrouting ip saddr @masq4 oifname != @bridges masquerade
add rule inet tether nat-postrouting ip6 saddr @masq6 oifname != @bridges masquerade
add rule inet tether forward jump user
add rule inet tether forward iifname . oifname @bridge_self ct status dnat accept
add rule inet tether forward iifname . oifname @bridge_self iifname @icc_off drop
add rule inet tether forward iifname . oifname @bridge_self accept
add rule inet tether forward iifname @internal drop
add rule inet tether forward oifname @internal drop
add rule inet tether forward oifname @bridges ct state established,related accept
add rule inet tether forward oifname @bridges ct status dnat accept
add rule inet tether forward iifname != @bridges oifname @bridges ip daddr . meta l4proto . th dport @open4 accept
add rule inet tether forward iifname != @bridges oifname @bridges ip6 daddr . meta l4proto . th dport @open6 accept
add rule inet tether forward oifname @bridges drop
add rule inet tether input iifname @bridges ip daddr 127.0.0.0/8 ct state new,invalid drop
add element inet tether bridges { "br-0123456789ab", "br-internal" }
add element inet tether bridge_self { "br-0123456789ab" . "br-0123456789ab", "br-internal" . "br-internal" }
add element inet tether bridge_nets4 { "br-0123456789ab" . 172.18.0.0/16, "br-internal" . 10.9.0.0/24 }
add element inet tether bridge_nets6 { "br-0123456789ab" . fd00:1::/64 }
add element inet tether icc_off { "br-0123456789ab" }
add element inet tether masq4 { 172.18.0.0/16 }
add element inet tether masq6 { fd00:1::/64 }
add element inet tether internal { "br-internal" }
add element inet tether ports4_any { tcp . 8080 : 172.18.0.2 . 80 }
add element inet tether ports4_addr { 127.0.0.1 . udp . 5353 : 172.18.0.2 . 53 }
add element inet tether ports6_any { sctp . 9000 : fd00:1::2 . 9 }
add element inet tether ports6_addr { ::1 . tcp . 8443 : fd00:1::2 . 443 }
add element inet tether open4 { 172.18.0.2 . tcp . 80 }
add element inet tether open6 { fd00:1::2 . sctp . 9 }
`;

describe('rebuildBatch', () => {
  it('renders the golden table for a state with two networks and four ports', () => {
    assert.equal(rebuildBatch('tether', GOLDEN_STATE), GOLDEN);
  });

  it('has the same rules however many ports there are (only elements grow)', () => {
    const rules = (s: string) => s.split('\n').filter((l) => l.startsWith('add rule'));
    const many: FirewallState = {
      networks: GOLDEN_STATE.networks,
      ports: Array.from({ length: 500 }, (_, i) => ({
        networkId: 'n1', proto: 'tcp' as const, hostIp: ip('0.0.0.0'), hostPort: 10000 + i, containerIp: ip('172.18.0.2'), containerPort: 80,
      })),
    };
    assert.deepEqual(rules(rebuildBatch('tether', many)), rules(GOLDEN));
    assert.equal(rebuildBatch('tether', many).split('\n').filter((l) => l.startsWith('add element inet tether ports4_any')).length, 1);
  });

  it('never flushes or redefines the user chain', () => {
    const batch = rebuildBatch('tether', GOLDEN_STATE);
    assert.deepEqual(batch.split('\n').filter((l) => / user( |$)/.test(l) && !l.includes('jump user')), ['add chain inet tether user']);
    assert.doesNotMatch(batch, /delete table|flush table|flush ruleset/);
  });

  it('refuses table names that are not plain identifiers', () => {
    assert.equal(tableName('tether_2'), 'tether_2');
    for (const bad of ['', 'a b', 'x;flush ruleset', '1abc', 'a'.repeat(33)]) {
      assert.throws(() => tableName(bad), { name: 'TetherError', code: 'firewall.table' });
    }
  });
});
