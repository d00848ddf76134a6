export * from './common';
export * from './health';
export * from './roles';
export * from './users';
