/**
 * The OpenAPI paths of joining a node (issue 12), spread into `OPENAPI_DOCUMENT.paths`, and their
 * schemas (`NODE_JOIN_SCHEMAS`). The credentials are the bootstrap file's own fields (`NatsCredentials`).
 */
const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const nodeId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' };

export const NODE_JOIN_SCHEMAS = {
  NodeJoinTokenRequest: {
    type: 'object',
    required: ['nodeId'],
    additionalProperties: false,
    properties: { nodeId, expiresInSeconds: { type: 'integer', minimum: 60, maximum: 86400, default: 900 } },
  },
  NodeJoinToken: {
    type: 'object',
    required: ['tokenId', 'nodeId', 'expiresAt', 'token'],
    properties: { tokenId: { type: 'string' }, nodeId, expiresAt: { type: 'string', format: 'date-time' }, token: { type: 'string', pattern: '^tyj_' } },
  },
  NodeJoinRequest: { type: 'object', required: ['token'], properties: { token: { type: 'string', pattern: '^tyj_' } } },
  NodeJoined: {
    type: 'object',
    required: ['nodeId', 'credentials'],
    properties: {
      nodeId,
      credentials: { type: 'object', required: ['identity', 'nkey', 'seed', 'inboxPrefix'], properties: { identity: { type: 'string' }, nkey: { type: 'string' }, seed: { type: 'string' }, inboxPrefix: { type: 'string' } } },
    },
  },
};

export const NODE_JOIN_PATHS = {
  '/v1/admin/node-join-tokens': {
    post: {
      summary: 'A single-use, short-lived token that lets one node fetch its NATS credentials (admins; `yard admin node join-token`); the node must be in the bootstrap directory (TY_JOIN_CREDENTIALS_DIR)',
      requestBody: { required: true, ...json('NodeJoinTokenRequest') },
      responses: {
        '201': { description: 'The token, shown this once', ...json('NodeJoinToken') },
        '400': { description: 'Invalid input; `details` lists every offending field', ...error },
        '409': { description: 'ILLEGAL_STATE: joining is not set up here, or the node is not bootstrapped', ...error },
      },
    },
  },
  '/v1/nodes/join': {
    post: {
      summary: "An agent's first start (`--join <api> --token T`): spends the join token and answers with its node's NATS credentials. No bearer token: the join token is the proof",
      security: [],
      requestBody: { required: true, ...json('NodeJoinRequest') },
      responses: {
        '200': { description: "The node's id and credentials (write them mode 0600)", ...json('NodeJoined') },
        '400': { description: 'Not a join token', ...error },
        '401': { description: 'UNAUTHENTICATED: unknown, expired or already used', ...error },
      },
    },
  },
};
