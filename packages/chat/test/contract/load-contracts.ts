import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StoreFactory } from '../helpers.js';

/** A contract: registers its tests against stores made by `createStore`. */
export type ChatContract = (createStore: StoreFactory) => void;

/**
 * Every `*.contract.ts` of this folder, in name order, so that a new contract file runs against
 * every store without touching the runners.
 */
export async function loadContracts(): Promise<ChatContract[]> {
  const folder = new URL('./', import.meta.url);
  const files = readdirSync(fileURLToPath(folder)).filter((file) => file.endsWith('.contract.ts')).sort();
  const modules = await Promise.all(files.map((file) => import(new URL(file, folder).href) as Promise<{ default: ChatContract }>));
  return modules.map((module) => module.default);
}
