// Docker's JSON for images: the list (GET /images/json), inspect (GET /images/{name}/json), rmi
// answers and the message stream of load/import. Shapes follow dockerd for API 1.43 (moby 24):
// VirtualSize until 1.44, Container/ContainerConfig until 1.45. The image store speaks in its own
// camelCase; this file is where it becomes Docker's PascalCase.
import type { ImageDetails, ImageSummary, RemovedItem } from '../../runtime/images.js';
import type { ImageRuntimeConfig } from '../../runtime/image-config.js';

function versionAtLeast(apiVersion: string, wanted: string): boolean {
  const [a = 0, b = 0] = apiVersion.split('.').map(Number);
  const [c = 0, d = 0] = wanted.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

/** dockerd's names for an image without tags: "<none>:<none>" and "<none>@<none>". */
function names(repoTags: string[], repoDigests: string[]): { RepoTags: string[]; RepoDigests: string[] | null } {
  // dockerd (recorded in 10-api-trace/01-version.log) sends null for a tagged image without a
  // digest (loaded, never pulled), and the <none> pair for a dangling image.
  const digests = repoDigests.length > 0 ? repoDigests : null;
  return repoTags.length > 0 ? { RepoTags: repoTags, RepoDigests: digests } : { RepoTags: ['<none>:<none>'], RepoDigests: digests ?? ['<none>@<none>'] };
}

/** One entry of GET /images/json. Containers and SharedSize are -1: dockerd only counts them for `system df`. */
export function toImageSummary(s: ImageSummary, apiVersion: string): Record<string, unknown> {
  const { RepoTags, RepoDigests } = names(s.repoTags, s.repoDigests);
  return {
    Containers: -1,
    Created: s.created,
    Id: s.id,
    Labels: s.labels,
    ParentId: '',
    RepoDigests,
    RepoTags,
    SharedSize: -1,
    Size: s.size,
    ...(versionAtLeast(apiVersion, '1.44') ? {} : { VirtualSize: s.size }),
  };
}

const EMPTY_CONFIG: ImageRuntimeConfig = {};

/** The image's runtime config as Docker's container.Config, with its omitempty fields. */
function dockerConfig(c: ImageRuntimeConfig): Record<string, unknown> {
  const optional = (key: string): Record<string, unknown> => {
    const v = (c as Record<string, unknown>)[key];
    return v === undefined || v === null || v === '' || v === false ? {} : { [key]: v };
  };
  return {
    Hostname: str(c, 'Hostname'),
    Domainname: str(c, 'Domainname'),
    User: c.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...optional('ExposedPorts'),
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    ...optional('Healthcheck'),
    ...optional('ArgsEscaped'),
    Image: str(c, 'Image'),
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: (c as Record<string, unknown>)['OnBuild'] ?? null,
    Labels: c.Labels ?? null,
    ...optional('StopSignal'),
    ...optional('StopTimeout'),
    ...optional('Shell'),
  };
}

function str(c: ImageRuntimeConfig, key: string): string {
  const v = (c as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : '';
}

/** GET /images/{name}/json. */
export function toImageInspect(d: ImageDetails, apiVersion: string): Record<string, unknown> {
  return {
    Id: d.id,
    RepoTags: d.repoTags,
    RepoDigests: d.repoDigests,
    Parent: '',
    Comment: d.comment,
    Created: d.created,
    ...(versionAtLeast(apiVersion, '1.45') ? {} : { Container: '', ContainerConfig: dockerConfig(EMPTY_CONFIG) }),
    DockerVersion: d.dockerVersion,
    Author: d.author,
    Config: dockerConfig(d.config),
    Architecture: d.architecture,
    Os: d.os,
    Size: d.size,
    ...(versionAtLeast(apiVersion, '1.44') ? {} : { VirtualSize: d.size }),
    GraphDriver: { Data: {}, Name: 'overlay2' }, // as container inspect reports it
    RootFS: { Type: 'layers', Layers: d.layers },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

/** DELETE /images/{name}: [{"Untagged": …}, {"Deleted": …}]. */
export function toDeleteResponse(items: RemovedItem[]): ({ Untagged: string } | { Deleted: string })[] {
  return items.map((i) => ('untagged' in i ? { Untagged: i.untagged } : { Deleted: i.deleted }));
}

/** POST /images/prune: ImagesDeleted is null when nothing went, as dockerd sends it. */
export function toPruneResponse(items: RemovedItem[], reclaimed: number): Record<string, unknown> {
  return { ImagesDeleted: items.length > 0 ? toDeleteResponse(items) : null, SpaceReclaimed: reclaimed };
}

/**
 * One message of the JSON stream dockerd writes for load/import/pull; its streamformatter ends
 * every message with "\r\n".
 */
export function jsonMessage(m: Record<string, unknown>): string {
  return `${JSON.stringify(m)}\r\n`;
}

/** What `docker load` prints per image: "Loaded image: busybox:latest", or the id when untagged. */
export function loadedMessages(loaded: { id: string; tags: string[] }[]): string {
  return loaded
    .flatMap((img) => (img.tags.length > 0 ? img.tags.map((t) => `Loaded image: ${t}\n`) : [`Loaded image ID: ${img.id}\n`]))
    .map((line) => jsonMessage({ stream: line }))
    .join('');
}
