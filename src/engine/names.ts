// Docker's generated container names (adjective_surname) and the name rule.
import { randomInt } from 'node:crypto';
import { invalid } from '../errors.js';

const LEFT = ['admiring', 'brave', 'clever', 'dreamy', 'eager', 'focused', 'gallant', 'happy', 'jolly', 'keen', 'loving', 'modest', 'nifty', 'quirky', 'relaxed', 'serene', 'tender', 'upbeat', 'vibrant', 'zealous'];
const RIGHT = ['bell', 'curie', 'darwin', 'euclid', 'fermi', 'galois', 'hopper', 'kepler', 'lovelace', 'meitner', 'noether', 'pascal', 'ritchie', 'shannon', 'tesla', 'turing', 'wozniak', 'yalow'];

export function randomContainerName(): string {
  return `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
}

const VALID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Checks a client-given name (Docker accepts and strips one leading '/'). */
export function checkContainerName(name: string): string {
  const n = name.startsWith('/') ? name.slice(1) : name;
  if (!VALID.test(n) || n.length > 253) {
    throw invalid(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, 'container.name');
  }
  return n;
}
