import type { ResourceType } from '../api/group.js';
import type { KubeApi, ListOptions } from './api.js';
import type { KubeObject } from './objects.js';

/**
 * Every object a list selects, read page by page (`limit` + `continue`), so a
 * large cluster never arrives as one response. `keep` trims each item as its
 * page arrives, so only what the caller reads stays in memory.
 */
export async function listAll<T extends KubeObject>(
  api: KubeApi,
  type: ResourceType,
  options: Omit<ListOptions, 'limit' | 'continue'>,
  pageSize: number,
  keep: (item: T) => T = (item) => item,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await api.list<T>(type, {
      ...options,
      limit: pageSize,
      ...(token === undefined ? {} : { continue: token }),
    });
    items.push(...page.items.map(keep));
    token = page.continue;
  } while (token !== undefined);
  return items;
}
