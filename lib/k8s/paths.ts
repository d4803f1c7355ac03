import type { ResourceType } from '../api/group.js';
import type { ListOptions } from './api.js';

/** REST paths (kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris). */
export function collectionPath(type: ResourceType, namespace: string | undefined): string {
  const base = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const scope = type.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${scope}/${type.plural}`;
}

export function objectPath(type: ResourceType, namespace: string, name: string, subresource?: 'status'): string {
  const path = `${collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
  return subresource === undefined ? path : `${path}/${subresource}`;
}

export function listQuery(options: ListOptions): string {
  const query = new URLSearchParams();
  if (options.labelSelector !== undefined) query.set('labelSelector', options.labelSelector);
  if (options.fieldSelector !== undefined) query.set('fieldSelector', options.fieldSelector);
  if (options.limit !== undefined) query.set('limit', String(options.limit));
  if (options.continue !== undefined) query.set('continue', options.continue);
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

/** Query of every write: SSA needs a field manager; Strict turns unknown or duplicate fields into errors. */
export function writeQuery(fieldManager: string, force: boolean): string {
  const query = new URLSearchParams({ fieldManager, fieldValidation: 'Strict' });
  if (force) query.set('force', 'true');
  return `?${query.toString()}`;
}
