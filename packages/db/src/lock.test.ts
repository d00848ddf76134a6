import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDatabase } from './client';
import { DataDirLockedError, lockDataDir } from './lock';

const folder = () => path.join(mkdtempSync(path.join(tmpdir(), 'netflow-lock-')), 'pglite');

describe('embedded data folder lock', () => {
  it('createDatabase refuses a folder another opener holds, before starting PGlite, and names the holder', async () => {
    // Opening and closing for real (release on close) is exercised by the API's backup tests.
    const dir = folder();
    const release = lockDataDir(dir);
    await expect(createDatabase({ dataDir: dir })).rejects.toThrow(
      new RegExp(`embedded database ${dir} is in use by process ${process.pid} .*stop it first`),
    );
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(existsSync(path.join(dir, 'PG_VERSION'))).toBe(false);
    release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
    lockDataDir(dir)();
  });

  it('respects a lock held by another live process and takes over one whose process is gone', () => {
    const dir = folder();
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: process.ppid, host: hostname() }));
    expect(() => lockDataDir(dir)).toThrow(`in use by process ${process.ppid}`);

    const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: gone, host: hostname() }));
    const release = lockDataDir(dir);
    expect(JSON.parse(readFileSync(`${dir}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });
});
