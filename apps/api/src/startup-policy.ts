/**
 * What a start may do with demo data, decided from the configuration alone (main.ts checks it
 * before loading the server). Production never gets demo data or a generated admin: the demo
 * staff share one password that is printed to stdout.
 */
import { ConfigError, type Config } from './config';

/** Refuses, before the database is touched, a production start that asks for demo data. */
export function checkStartup(config: Config): void {
  if (config.env === 'production' && config.demoData === 'on') {
    throw new ConfigError('DEMO_DATA=on is refused in production (the demo staff share a printed password); set DEMO_DATA=off');
  }
}

/** Whether this start fills the database with the demo ISP: never in production. */
export function wantsDemoData(config: Config, admin: { created: 'bootstrap' | 'demo' | null }): boolean {
  if (config.env === 'production') return false;
  return config.demoData === 'on' || (config.demoData === 'auto' && admin.created === 'demo');
}
