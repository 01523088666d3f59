import Docker from 'dockerode';
import { defaultContainerSocket } from './container-runtime';

/** The offline image `.ci/setup-containers` imports (busybox, /home/ma-user owned by 1000). */
export const TEST_IMAGE = process.env.TY_TEST_IMAGE ?? 'localhost/trainyard-test:busybox';
export const TEST_SOCKET = defaultContainerSocket();

/**
 * Fails (never skips) when the container engine or the test image is missing: CI provides both, and a
 * developer gets the command that provides them.
 */
export async function requireContainerEngine(): Promise<Docker> {
  const docker = new Docker({ socketPath: TEST_SOCKET });
  const fix = 'run `npm run setup:containers` as root (see README, "Machine set-up for the tests")';
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(`no Docker-compatible API answers on ${TEST_SOCKET} (${(err as Error).message}): ${fix}`);
  }
  try {
    await docker.getImage(TEST_IMAGE).inspect();
  } catch {
    throw new Error(`test image ${TEST_IMAGE} is missing: ${fix}`);
  }
  return docker;
}
