// `docker login`: dockerd checks the credentials against the registry's /v2/ (a Basic retry or a
// Bearer token fetched with them) and keeps nothing; the CLI stores them and sends them with
// each pull as X-Registry-Auth.
import { invalid, TetherError } from '../errors.js';
import type { Credentials, RegistryClient } from './client.js';
import { DOCKER_HUB } from './reference.js';
import { RegistrySession } from './session.js';
import { RegistryHttpError } from './wire.js';

/** "https://index.docker.io/v1/" → docker.io; "https://reg:5000" or "reg:5000" → reg:5000. */
export function loginDomain(serverAddress: string): string {
  const s = serverAddress.trim() || 'https://index.docker.io/v1/';
  const host = s.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (!/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9a-fA-F:.]+\](:[0-9]{1,5})?$/.test(host)) throw invalid(`invalid registry address ${serverAddress}`, 'registry.address');
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB : host;
}

export async function login(client: RegistryClient, serverAddress: string, creds: Credentials): Promise<void> {
  const domain = loginDomain(serverAddress);
  try {
    await RegistrySession.open(client, domain, '', creds);
  } catch (e) {
    if (!(e instanceof RegistryHttpError) || e.status !== 401) throw e;
    const ep = client.endpoints(domain).at(-1);
    throw new TetherError('invalid', `login attempt to ${ep?.base ?? domain}/v2/ failed with status: 401 Unauthorized`, { code: 'registry.loginFailed' });
  }
}
