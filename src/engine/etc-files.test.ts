// The files as Docker 20.10 writes them (libnetwork sandbox_dns_unix.go and resolvconf.Build).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostsFile, resolvConf } from './etc-files.js';

const STANDARD = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

describe('etc files', () => {
  it('/etc/hosts names the FQDN and its first label: --hostname a.b gives "a.b a"', () => {
    assert.equal(hostsFile({ hostname: 'a.b', domainname: '', ownAddresses: ['172.18.0.2'], extra: [] }), `${STANDARD}172.18.0.2\ta.b a\n`);
    assert.equal(hostsFile({ hostname: 'web', domainname: 'example.test', ownAddresses: ['172.18.0.2'], extra: [] }), `${STANDARD}172.18.0.2\tweb.example.test web\n`);
    assert.equal(hostsFile({ hostname: 'web', domainname: '', ownAddresses: ['172.17.0.2'], extra: [] }), `${STANDARD}172.17.0.2\tweb\n`);
  });

  it('/etc/resolv.conf: search before nameserver, then options, on user networks and on the default bridge', () => {
    const host = 'nameserver 10.255.255.53\nsearch lan\n';
    assert.equal(resolvConf({ hostResolvConf: host, embeddedDns: true, dns: [], dnsSearch: ['corp.test'], dnsOptions: [] }), 'search corp.test\nnameserver 127.0.0.11\noptions ndots:0\n');
    assert.equal(resolvConf({ hostResolvConf: host, embeddedDns: true, dns: [], dnsSearch: [], dnsOptions: [] }), 'search lan\nnameserver 127.0.0.11\noptions ndots:0\n');
    assert.equal(resolvConf({ hostResolvConf: host, embeddedDns: false, dns: ['1.2.3.4'], dnsSearch: ['a.test'], dnsOptions: ['timeout:1'] }), 'search a.test\nnameserver 1.2.3.4\noptions timeout:1\n');
    assert.equal(resolvConf({ hostResolvConf: host, embeddedDns: true, dns: [], dnsSearch: ['.'], dnsOptions: [] }), 'nameserver 127.0.0.11\noptions ndots:0\n', '"." means no search domain');
  });
});
