/**
 * The admin token every test cluster is started with (`bootstrapAdmin.token`): tests call the API as
 * the cluster's owner without weakening the default (every route needs a principal). It holds admin,
 * operator and `job:setHighPriority` as `user:admin`. Never configured outside tests.
 */
export const TEST_ADMIN_TOKEN = 'tyt_testadminabc_fixture-secret-of-the-test-clusters-admin-0';
export const TEST_ADMIN_ID = 'user:admin';

/** `Authorization` header of the test admin, to spread into a fetch's headers. */
export const TEST_ADMIN_AUTH = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } as const;
