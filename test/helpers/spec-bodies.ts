// Request bodies generated from the Engine API's own schema (src/api/docker/spec/, cut from moby's
// swagger.yaml): every optional field absent, JSON null, or a value of its type. Where Docker
// itself checks a string's meaning (an address, a port, a hostname), a `semantic` hook gives a
// valid one, so a refusal means we are stricter than Docker, not that the body was nonsense.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  enum?: unknown[];
  example?: unknown;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  required?: string[];
}

export interface EngineSpec {
  source: string;
  apiVersion: string;
  bodies: Record<'networkCreate' | 'networkConnect' | 'networkDisconnect' | 'containerCreate', Schema>;
  documentedStatuses: Record<string, number[]>;
  definitions: Record<string, Schema>;
}

export function loadEngineSpec(): EngineSpec {
  return JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../src/api/docker/spec/engine-api-1.43.json'), 'utf8')) as EngineSpec;
}

/** mulberry32: seeded, so a failing body can be generated again. */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A hook returns a generator for the field at `path` (e.g. ["HostConfig", "Dns", "[]"]), or undefined for the schema's own. */
export type Semantic = (path: readonly string[]) => (() => unknown) | undefined;

export const ABSENT = Symbol('absent');

export class BodyGenerator {
  constructor(
    private readonly spec: EngineSpec,
    readonly random: () => number,
    private readonly semantic: Semantic,
  ) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)]!;
  }

  body(name: keyof EngineSpec['bodies']): Record<string, unknown> {
    return this.value(this.spec.bodies[name], []) as Record<string, unknown>;
  }

  /** An optional field: a third absent, a third null, a third a value. */
  optional(schema: Schema, path: string[]): unknown {
    const r = this.random();
    if (r < 1 / 3) return ABSENT;
    if (r < 2 / 3) return null;
    return this.value(schema, path);
  }

  private resolve(s: Schema): Schema {
    if (s.$ref) return this.resolve(this.spec.definitions[s.$ref.split('/').pop()!]!);
    if (s.allOf) {
      const parts = s.allOf.map((p) => this.resolve(p));
      return { type: 'object', properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})), required: parts.flatMap((p) => p.required ?? []) };
    }
    return s;
  }

  value(raw: Schema, path: string[]): unknown {
    const own = this.semantic(path);
    if (own) return own();
    const s = this.resolve(raw);
    if (s.enum) return this.pick(s.enum);
    switch (s.type) {
      case 'boolean':
        return this.random() < 0.5;
      case 'integer':
      case 'number': {
        const lo = s.minimum ?? 0;
        const hi = s.maximum ?? 1_000_000;
        return lo + Math.floor(this.random() * (hi - lo + 1));
      }
      case 'string':
        return typeof s.example === 'string' && this.random() < 0.5 ? s.example : `v${Math.floor(this.random() * 1000)}`;
      case 'array': {
        const n = (s.minItems ?? 0) + Math.floor(this.random() * (Math.min(s.maxItems ?? 3, 3) - (s.minItems ?? 0) + 1));
        return Array.from({ length: n }, () => this.value(s.items ?? {}, [...path, '[]']));
      }
      default: {
        const out: Record<string, unknown> = {};
        for (const [k, ps] of Object.entries(s.properties ?? {})) {
          const v = s.required?.includes(k) ? this.value(ps, [...path, k]) : this.optional(ps, [...path, k]);
          if (v !== ABSENT) out[k] = v;
        }
        if (s.additionalProperties && typeof s.additionalProperties === 'object') {
          const n = Math.floor(this.random() * 3);
          for (let i = 0; i < n; i++) {
            const key = (this.semantic([...path, '{key}']) ?? (() => `com.example.k${Math.floor(this.random() * 100)}`))() as string;
            out[key] = this.value(s.additionalProperties, [...path, '{}']);
          }
        }
        return out;
      }
    }
  }
}
