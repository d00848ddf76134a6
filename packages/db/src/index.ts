export * from './client';
export { DataDirLockedError, lockDataDir } from './lock';
export * from './schema/index';
