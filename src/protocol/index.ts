export * from './limits';
export * from './errors';
export * from './entities';
export * from './methods';
