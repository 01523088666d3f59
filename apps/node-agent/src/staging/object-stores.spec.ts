import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadObjectStores, ObjectStoreConfigError, parseObjectStores, storeFor } from './object-stores';
import { planStaging } from './staging-plan';
import { storeEnvironment } from './task-staging';
import { taskPaths } from '../task-paths';

const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const doc = {
  stores: [
    { name: 'lab', endpoint: 'https://minio.lab:9000', accessKeyId: 'AKIALAB', secretAccessKey: SECRET, pools: ['gpu'], buckets: ['ckpt'] },
    { name: 'any', endpoint: 'http://127.0.0.1:9000/', accessKeyId: 'AKIAANY', secretAccessKey: SECRET, verifySsl: true },
  ],
};

describe('object stores - the secrets file (issue 14)', () => {
  it('picks the first store that serves the pool and the bucket', () => {
    const stores = parseObjectStores(doc);
    expect(storeFor(stores, 'gpu', 'ckpt')?.name).toBe('lab');
    expect(storeFor(stores, 'gpu', 'datasets')?.name).toBe('any');
    expect(storeFor(stores, 'cpu', 'ckpt')?.name).toBe('any');
    expect(stores[1].endpoint).toBe('http://127.0.0.1:9000');
  });

  it('a logged or inspected store never shows a key', () => {
    const stores = parseObjectStores(doc);
    const text = JSON.stringify(stores) + inspect(stores, { depth: 10 }) + `${stores[0].secretAccessKey}`;
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('AKIALAB');
    expect(stores[0].secretAccessKey.reveal()).toBe(SECRET);
  });

  it('refuses a file others can read, and bad fields without quoting them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ty-stores-'));
    try {
      const file = join(dir, 'stores.json');
      writeFileSync(file, JSON.stringify(doc));
      chmodSync(file, 0o644);
      expect(() => loadObjectStores(file)).toThrow(/readable by others/);
      chmodSync(file, 0o600);
      expect(loadObjectStores(file)).toHaveLength(2);
      writeFileSync(file, `{"stores": [{"secretAccessKey": "${SECRET}"`);
      expect(() => loadObjectStores(file)).toThrow(ObjectStoreConfigError);
      try {
        loadObjectStores(file);
      } catch (err) {
        expect(String(err)).not.toContain(SECRET);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => parseObjectStores({ stores: [{ endpoint: 'minio:9000', accessKeyId: 'a', secretAccessKey: 'b' }] })).toThrow(/endpoint/);
  });

  it('the task gets Table 14-19 (MA_S3_ENDPOINT L12368-12385, S3_VERIFY_SSL L12387-12392, S3_USE_HTTPS L12394-12399) and no credential unless a task key is configured', () => {
    const stores = parseObjectStores(doc);
    const paths = taskPaths('/w', { jobId: 'j', task: 'worker-0', attempt: 1 });
    const plan = planStaging({ command: 'x', outputs: [{ name: 'train_url', path: 's3://ckpt/run/' }] }, paths, paths);
    const env = storeEnvironment({ stores, pool: 'gpu' }, plan);
    expect(env).toEqual({ MA_S3_ENDPOINT: 'https://minio.lab:9000', S3_USE_HTTPS: '1', S3_VERIFY_SSL: '0' });
    expect(JSON.stringify(env)).not.toContain(SECRET);
    const none = planStaging({ command: 'x' }, paths, paths);
    expect(storeEnvironment({ stores, pool: 'cpu' }, none)).toEqual({ MA_S3_ENDPOINT: 'http://127.0.0.1:9000', S3_USE_HTTPS: '0', S3_VERIFY_SSL: '1' });
    expect(storeEnvironment({ stores: [], pool: 'cpu' }, none)).toEqual({});
    const scoped = parseObjectStores({ stores: [{ ...doc.stores[1], taskCredentials: { accessKeyId: 'RO', secretAccessKey: 'ro-secret' } }] });
    expect(storeEnvironment({ stores: scoped, pool: 'cpu' }, none)).toMatchObject({ AWS_ACCESS_KEY_ID: 'RO', AWS_SECRET_ACCESS_KEY: 'ro-secret' });
  });
});
