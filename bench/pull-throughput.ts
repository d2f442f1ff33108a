// Pull throughput from a local registry: a generated image (default 200 MB in 4 incompressible
// layers) is put into Debian's docker-registry inside a throwaway test host, then pulled by a
// tetherd in the same host; prints MB/s for the pull and for curl fetching the same blobs (the
// registry's own ceiling on this machine). No dockerd exists here, so there is no ratio to it.
//   npm run build && node dist/bench/pull-throughput.js [--mb 200] [--layers 4] [--reps 3]
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { createTestHost } from '../test/helpers/testhost.js';
import { startDaemon } from '../test/helpers/daemon.js';
import { busyboxParts, pushImage, startRegistry, withConfig } from '../test/helpers/registry.js';
import { createHash } from 'node:crypto';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '200' }, layers: { type: 'string', default: '4' }, reps: { type: 'string', default: '3' } } });
const totalMb = Number(values.mb);
const layerCount = Number(values.layers);
const reps = Number(values.reps);

const host = createTestHost('bnch');
try {
  const reg = await startRegistry(host, 5000);
  try {
    const parts = busyboxParts(host.dir);
    // Plain tars of random bytes: gzip cannot shrink them, so bytes on the wire ≈ image size.
    const layers = Array.from({ length: layerCount }, (_, i) => tarOf(`blob${i}`, randomBytes(Math.floor((totalMb << 20) / layerCount))));
    const diffIds = layers.map((l) => `sha256:${createHash('sha256').update(l).digest('hex')}`);
    const config = withConfig(parts.config, { rootfs: { type: 'layers', diff_ids: diffIds } });
    pushImage(reg, 'big', 'latest', config, layers);
    const manifest = JSON.parse(host.sh(['curl', '-s', '-H', 'Accept: application/vnd.docker.distribution.manifest.v2+json', `http://${reg.addr}/v2/big/manifests/latest`])) as { layers: { digest: string; size: number }[] };
    const wire = manifest.layers.reduce((n, l) => n + l.size, 0);

    const d = await startDaemon(host, ['--insecure-registry', reg.addr]);
    try {
      const pulls: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = process.hrtime.bigint();
        const r = await d.api('POST', `/images/create?fromImage=${reg.addr}/big&tag=latest`);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (!/Downloaded newer image/.test(r.text)) throw new Error(`pull failed: ${r.text.slice(-500)}`);
        pulls.push(ms);
        await d.api('DELETE', `/images/${reg.addr}/big:latest`);
      }
      const curls: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = process.hrtime.bigint();
        for (const l of manifest.layers) host.sh(['curl', '-s', '-o', '/dev/null', `http://${reg.addr}/v2/big/blobs/${l.digest}`]);
        curls.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
      const mbps = (ms: number): string => ((wire / 1e6) / (ms / 1000)).toFixed(1);
      console.log(`image: ${layerCount} layers, ${(wire / 1e6).toFixed(1)} MB on the wire; ${reps} runs, medians`);
      console.log(`tetherd pull (download, verify, unpack, commit): ${median(pulls).toFixed(0)} ms = ${mbps(median(pulls))} MB/s`);
      console.log(`curl, same blobs one after another (download only): ${median(curls).toFixed(0)} ms = ${mbps(median(curls))} MB/s`);
      console.log(`ratio pull/curl time: ${(median(pulls) / median(curls)).toFixed(2)}`);
    } finally {
      await d.stop();
    }
  } finally {
    await reg.stop();
  }
} finally {
  host.dispose();
}

/** A one-file ustar archive, built in memory (512-byte header, data, padding, two zero blocks). */
function tarOf(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\x0000', 257);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, pad, Buffer.alloc(1024)]);
}
