// The image half of the fake Engine: list, inspect, remove, load and import, with dockerd
// 20.10's shapes and messages. A fresh engine holds busybox:latest (the reference image).

import type { Reply } from './fake-containers.js';

export interface FakeImage {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: number;
  Size: number;
}

const BUSYBOX: FakeImage = {
  Id: 'sha256:c04f09cdff25d726904f2c85982da1d0eec45b93d88992dd15a7f7544dfaa4cc',
  RepoTags: ['busybox:latest'],
  RepoDigests: [],
  Created: 1577836800,
  Size: 1984138,
};

/** `busybox` means `busybox:latest`; ids match in full or by prefix. */
function matches(img: FakeImage, ref: string): boolean {
  const tagged = /:[^/]*$/.test(ref) ? ref : `${ref}:latest`;
  const bare = img.Id.slice('sha256:'.length);
  return img.RepoTags.includes(tagged) || img.Id === ref || (ref.length >= 4 && bare.startsWith(ref.replace(/^sha256:/, '')));
}

export class FakeImages {
  readonly list: FakeImage[] = [{ ...BUSYBOX }];

  find(ref: string): FakeImage | undefined {
    return this.list.find((i) => matches(i, ref));
  }

  handle(method: string, route: string, url: URL, body: string, reply: Reply, inUse: (id: string) => string | undefined): boolean {
    if (method === 'GET' && route === '/images/json') {
      reply.send(
        200,
        this.list.map((i) => ({
          Containers: -1,
          Created: i.Created,
          Id: i.Id,
          Labels: null,
          ParentId: '',
          RepoDigests: i.RepoDigests,
          RepoTags: i.RepoTags,
          SharedSize: -1,
          Size: i.Size,
          VirtualSize: i.Size,
        })),
      );
      return true;
    }
    if (method === 'POST' && route === '/images/load') {
      // The fake "loads" an archive by its size: each load adds loaded:<n>.
      const tag = `loaded:${this.list.length}`;
      this.list.push({ ...BUSYBOX, Id: `sha256:${String(body.length).padStart(64, 'a')}`, RepoTags: [tag] });
      reply.send(200, `{"stream":"Loaded image: ${tag}\\n"}\n`);
      return true;
    }
    if (method === 'POST' && route === '/images/create' && url.searchParams.has('fromSrc')) {
      const id = `sha256:${String(body.length).padStart(64, 'b')}`;
      const repo = url.searchParams.get('repo');
      this.list.push({ ...BUSYBOX, Id: id, RepoTags: repo ? [/:[^/]*$/.test(repo) ? repo : `${repo}:latest`] : [] });
      reply.send(200, `{"status":"${id}"}\n`);
      return true;
    }
    const m = /^\/images\/(.+?)(\/json)?$/.exec(route);
    if (!m) return false;
    const ref = m[1] as string;
    const img = this.find(ref);
    if (!img) {
      reply.fail(404, `No such image: ${ref}`);
      return true;
    }
    if (method === 'GET' && m[2]) {
      reply.send(200, { Id: img.Id, RepoTags: img.RepoTags, RepoDigests: img.RepoDigests, Parent: '', Comment: '', Created: '2020-01-01T00:00:00Z', Os: 'linux', Architecture: 'amd64', Size: img.Size });
      return true;
    }
    if (method === 'DELETE' && !m[2]) {
      const user = inUse(img.Id);
      if (user && url.searchParams.get('force') !== '1') {
        reply.fail(409, `conflict: unable to remove repository reference "${ref}" (must force) - container ${user.slice(0, 12)} is using its referenced image ${img.Id.slice(7, 19)}`);
        return true;
      }
      this.list.splice(this.list.indexOf(img), 1);
      reply.send(200, [...img.RepoTags.map((t) => ({ Untagged: t })), { Deleted: img.Id }]);
      return true;
    }
    return false;
  }
}
