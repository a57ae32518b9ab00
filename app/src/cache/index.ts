export { chooseCaching } from './caching';
export { createPageCache } from './pageCache';
export type { PageCache, Visitor } from './pageCache';
export type { CacheChange, Siblings } from './siblings';
export { changeUser, databaseUserVersions } from './userVersions';
export type { UserVersions } from './userVersions';
