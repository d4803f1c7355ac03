import type { ResourceType } from '../api/group.js';
import type { KubeApi, ListOptions } from './api.js';
import type { KubeObject } from './objects.js';

/**
 * The pages of a list, one at a time (`limit` + `continue`), so a caller that
 * folds each page into something smaller never holds the whole collection.
 * Every page comes from the snapshot the first request fixed, whatever its size.
 */
export async function* listPages<T extends KubeObject>(
  api: KubeApi,
  type: ResourceType,
  options: Omit<ListOptions, 'limit' | 'continue'>,
  pageSize: number,
  firstPageSize = pageSize,
): AsyncGenerator<T[]> {
  let token: string | undefined;
  do {
    const page = await api.list<T>(type, {
      ...options,
      limit: token === undefined ? firstPageSize : pageSize,
      ...(token === undefined ? {} : { continue: token }),
    });
    yield page.items;
    token = page.continue;
  } while (token !== undefined);
}

/**
 * Every object a list selects, read page by page, so a large cluster never
 * arrives as one response. `keep` trims each item as its page arrives, so only
 * what the caller reads stays in memory.
 */
export async function listAll<T extends KubeObject>(
  api: KubeApi,
  type: ResourceType,
  options: Omit<ListOptions, 'limit' | 'continue'>,
  pageSize: number,
  keep: (item: T) => T = (item) => item,
): Promise<T[]> {
  const items: T[] = [];
  for await (const page of listPages<T>(api, type, options, pageSize)) items.push(...page.map(keep));
  return items;
}
