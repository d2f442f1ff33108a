import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageDetails } from '../../runtime/images.js';
import { loadedMessages, toDeleteResponse, toImageInspect, toImageSummary } from './image-json.js';

const ID = 'sha256:c04f09cdff25d726904f2c85982da1d0eec45b93d88992dd15a7f7544dfaa4cc';

test('image list entries as dockerd sends them (10-api-trace/01-version.log, system df)', () => {
  const tagged = toImageSummary({ id: ID, repoTags: ['busybox:latest'], repoDigests: [], created: 1795404297, size: 1984138, labels: null }, '1.41');
  assert.equal(
    JSON.stringify(tagged),
    `{"Containers":-1,"Created":1795404297,"Id":"${ID}","Labels":null,"ParentId":"","RepoDigests":null,"RepoTags":["busybox:latest"],"SharedSize":-1,"Size":1984138,"VirtualSize":1984138}`,
  );
  const dangling = toImageSummary({ id: ID, repoTags: [], repoDigests: [], created: 1, size: 2, labels: null }, '1.44');
  assert.deepEqual([dangling['RepoTags'], dangling['RepoDigests'], 'VirtualSize' in dangling], [['<none>:<none>'], ['<none>@<none>'], false]);
});

test('image inspect has the API 1.43 keys in order, Config as container.Config', () => {
  const d: ImageDetails = {
    id: ID, repoTags: ['busybox:latest'], repoDigests: [], created: '2026-11-23T03:24:57Z', size: 1984138, architecture: 'amd64', os: 'linux',
    author: '', comment: '', dockerVersion: '', config: { Cmd: ['sh'], ExposedPorts: { '80/tcp': {} } }, layers: ['sha256:aa'],
  };
  const j = toImageInspect(d, '1.43');
  assert.deepEqual(Object.keys(j), [
    'Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'Container', 'ContainerConfig', 'DockerVersion', 'Author',
    'Config', 'Architecture', 'Os', 'Size', 'VirtualSize', 'GraphDriver', 'RootFS', 'Metadata',
  ]);
  const config = j['Config'] as Record<string, unknown>;
  assert.deepEqual(config['Cmd'], ['sh']);
  assert.equal(config['Env'], null);
  assert.deepEqual(Object.keys(config).slice(5, 8), ['AttachStderr', 'ExposedPorts', 'Tty']);
  assert.deepEqual(j['RootFS'], { Type: 'layers', Layers: ['sha256:aa'] });
  assert.equal('VirtualSize' in toImageInspect(d, '1.44'), false);
});

test('rmi answer and load messages', () => {
  assert.deepEqual(toDeleteResponse([{ untagged: 'busybox:latest' }, { deleted: ID }]), [{ Untagged: 'busybox:latest' }, { Deleted: ID }]);
  assert.equal(
    loadedMessages([{ id: ID, tags: ['busybox:latest'] }, { id: ID, tags: [] }]),
    `{"stream":"Loaded image: busybox:latest\\n"}\r\n{"stream":"Loaded image ID: ${ID}\\n"}\r\n`,
  );
});
