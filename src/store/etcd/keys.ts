// Where each record lives in etcd (the layout is described at the top of etcd-store.ts). Every
// segment taken from a record is URI-encoded, so a name holding "/" can never reach into another
// record's range, and every range ends in "/", so network "a" never lists the leases of "ab".
const enc = encodeURIComponent;

/** The end of the range holding every key that starts with prefix (etcd's "prefix + 1"). */
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  end[end.length - 1]! += 1; // prefixes end in "/" (0x2f), so this never overflows
  return end;
}

/** The last segment of a key, decoded: the id a watch event or a range entry is about. */
export function lastSegment(key: string): string {
  return decodeURIComponent(key.slice(key.lastIndexOf('/') + 1));
}

export class EtcdKeys {
  /** prefix ends in "/", e.g. "/tether/v1/". */
  constructor(readonly prefix: string) {}

  meta(key: string): string {
    return `${this.prefix}meta/${enc(key)}`;
  }

  networks(): string {
    return `${this.prefix}networks/`;
  }

  network(id: string): string {
    return `${this.networks()}${enc(id)}`;
  }

  /** name → network id: the key two hosts race for when they create one name. */
  networkName(name: string): string {
    return `${this.prefix}network-names/${enc(name)}`;
  }

  leases(networkId: string): string {
    return `${this.prefix}leases/${enc(networkId)}/`;
  }

  /** address → owner: the key two hosts race for when they claim one address. */
  lease(networkId: string, address: string): string {
    return `${this.leases(networkId)}${enc(address)}`;
  }

  ownerLeases(owner: string): string {
    return `${this.prefix}lease-owners/${enc(owner)}/`;
  }

  /** owner → the leases it holds (value: the lease's key), so a release needs no scan. */
  ownerLease(owner: string, networkId: string, address: string): string {
    return `${this.ownerLeases(owner)}${enc(networkId)}/${enc(address)}`;
  }

  /** Every endpoint, or those of one network: the range the overlay driver watches. */
  endpoints(networkId?: string): string {
    return `${this.prefix}endpoints/${networkId === undefined ? '' : `${enc(networkId)}/`}`;
  }

  endpoint(networkId: string, id: string): string {
    return `${this.endpoints(networkId)}${enc(id)}`;
  }

  /** endpoint id → its network id, to find an endpoint by id alone. */
  endpointNetwork(id: string): string {
    return `${this.prefix}endpoint-ids/${enc(id)}`;
  }

  containerEndpoints(containerId: string): string {
    return `${this.prefix}container-endpoints/${enc(containerId)}/`;
  }

  /** container → its endpoints (value: the network id): one per network, found without a scan. */
  containerEndpoint(containerId: string, id: string): string {
    return `${this.containerEndpoints(containerId)}${enc(id)}`;
  }
}
