// The JSON message stream of POST /images/{name}/push as dockerd writes it: the repository line,
// per-layer Preparing/Pushing/Pushed (keyed by the layer's short diff id), then the tag's digest
// line and the aux record the CLI reads the digest from.
import type { PushEvent, PushPhase } from '../../registry/pusher.js';
import { jsonMessage as line } from './image-json.js';
import { progressBar } from './pull-json.js';

const PHASE: Record<PushPhase, string> = {
  preparing: 'Preparing',
  pushing: 'Pushing',
  pushed: 'Pushed',
  exists: 'Layer already exists',
};

export function pushMessages(e: PushEvent): string {
  switch (e.kind) {
    case 'start':
      return line({ status: `The push refers to repository [${e.repository}]` });
    case 'layer': {
      const sized = e.current !== undefined && e.total !== undefined;
      return line({
        status: PHASE[e.phase],
        progressDetail: sized ? { current: e.current, total: e.total } : {},
        ...(sized ? { progress: progressBar(e.current ?? 0, e.total ?? 0) } : {}),
        id: e.id,
      });
    }
    case 'done':
      return line({ status: `${e.tag}: digest: ${e.digest} size: ${e.size}` }) + line({ progressDetail: {}, aux: { Tag: e.tag, Digest: e.digest, Size: e.size } });
  }
}
