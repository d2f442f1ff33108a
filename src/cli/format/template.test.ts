import assert from 'node:assert/strict';
import { test } from 'node:test';
import { networkInspectType } from '../apitypes.js';
import { toTyped } from './gotype.js';
import { GoMap, goTimeString } from './govalue.js';
import { jsonIndent, parseGoJSON } from './json.js';
import { Template, TemplateError } from './template.js';

const RAW =
  '{"Name":"trace-n3","Id":"31c5de65dbea27e2d3cc0886733b0e18f4693477c6bab280ea6fcc34f5830f94","Created":"2026-11-23T03:32:45.941321334Z","Scope":"local","Driver":"bridge","EnableIPv6":false,"IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"10.231.0.0/24","IPRange":"10.231.0.128/25","Gateway":"10.231.0.1"}]},"Internal":false,"Attachable":false,"Ingress":false,"ConfigFrom":{"Network":""},"ConfigOnly":false,"Containers":{},"Options":{"com.docker.network.bridge.name":"trace-br3","com.docker.network.driver.mtu":"1400"},"Labels":{"trace":"1","trace-prune":"1"}}';
const raw = parseGoJSON(RAW);
const typed = toTyped(raw, networkInspectType);
const run = (src: string, dot = raw, missingKeyError = false): string => new Template(src).execute(dot, { missingKeyError });

test('raw map printing: {{.IPAM.Config}} as docker shows it (10-api-trace)', () => {
  assert.equal(
    run('{{.Id}} {{.IPAM.Config}}'),
    '31c5de65dbea27e2d3cc0886733b0e18f4693477c6bab280ea6fcc34f5830f94 [map[Gateway:10.231.0.1 IPRange:10.231.0.128/25 Subnet:10.231.0.0/24]]',
  );
});

test('typed struct printing and json follow Go struct order', () => {
  assert.equal(run('{{.IPAM.Config}}', typed), '[{10.231.0.0/24 10.231.0.128/25 10.231.0.1 map[]}]');
  assert.equal(run('{{json .IPAM.Config}}', typed), '[{"Subnet":"10.231.0.0/24","IPRange":"10.231.0.128/25","Gateway":"10.231.0.1"}]');
  assert.equal(run('{{json .IPAM}}', raw), '{"Config":[{"Gateway":"10.231.0.1","IPRange":"10.231.0.128/25","Subnet":"10.231.0.0/24"}],"Driver":"default","Options":{}}');
  assert.equal(run('{{.Created}}', typed), '2026-11-23 03:32:45.941321334 +0000 UTC');
  assert.throws(() => run('{{.Id}}', typed), /can't evaluate field Id in type network.Inspect/);
});

test('range, if/else, variables, pipelines and functions', () => {
  assert.equal(run('{{range .IPAM.Config}}{{.Subnet}};{{end}}'), '10.231.0.0/24;');
  assert.equal(run('{{range $k, $v := .Labels}}{{$k}}={{$v}},{{end}}'), 'trace=1,trace-prune=1,');
  assert.equal(run('{{if .Internal}}int{{else if eq .Driver "bridge"}}br{{else}}other{{end}}'), 'br');
  assert.equal(run('{{with .ConfigFrom}}[{{.Network}}]{{end}}'), '[]');
  assert.equal(run('{{.Name | upper}} {{len .Labels}} {{index .Labels "trace"}} {{join (split .Name "-") "+"}}'), 'TRACE-N3 2 1 trace+n3');
  assert.equal(run('{{$n := .Name}}{{$n}} {{printf "%s/%d" .Scope 3}}'), 'trace-n3 local/3');
  assert.equal(run('{{- .Name -}}  \n {{ .Scope }}'), 'trace-n3local');
  assert.equal(run('{{json .Options}}'), '{"com.docker.network.bridge.name":"trace-br3","com.docker.network.driver.mtu":"1400"}');
});

test('missing keys: <no value> by default, an error with missingkey=error', () => {
  assert.equal(run('{{.Nope}}'), '<no value>');
  assert.throws(() => run('{{.Nope}}', raw, true), /map has no entry for key "Nope"/);
  assert.equal(run('{{.IPAM.Options}}|{{.x}}', parseGoJSON('{"IPAM":{"Options":null}}')), '<no value>|<no value>');
});

test('json function does not HTML-escape, like docker\'s templates', () => {
  assert.equal(run('{{json .}}', new GoMap(new Map([['a', '<&>']]))), '{"a":"<&>"}');
});

test('parse errors', () => {
  assert.throws(() => new Template('{{.Name'), TemplateError);
  assert.throws(() => new Template('{{end}}'), /unexpected \{\{end\}\}/);
  assert.throws(() => new Template('{{nosuch .}}'), /function "nosuch" not defined/);
  assert.throws(() => new Template('{{if .A}}x'), /unexpected EOF/);
});

test('json.Indent keeps the daemon bytes and compacts empty containers', () => {
  assert.equal(
    jsonIndent('[{"a":{},"b":[],"c":"x\\u003c,:{","d":[1,{"e":null}]}]'),
    '[\n    {\n        "a": {},\n        "b": [],\n        "c": "x\\u003c,:{",\n        "d": [\n            1,\n            {\n                "e": null\n            }\n        ]\n    }\n]',
  );
});

test('time.Time String()', () => {
  assert.equal(goTimeString('2026-11-23T01:35:12.117002694Z'), '2026-11-23 01:35:12.117002694 +0000 UTC');
  assert.equal(goTimeString('2026-11-23T01:54:23.56276255Z'), '2026-11-23 01:54:23.56276255 +0000 UTC');
  assert.equal(goTimeString('2026-11-23T01:00:00Z'), '2026-11-23 01:00:00 +0000 UTC');
  assert.equal(goTimeString('2026-11-23T01:00:00.5+02:00'), '2026-11-23 01:00:00.5 +0200 +0200');
});
