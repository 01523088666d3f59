import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { agentIdentity, ErrorCode, FieldCode, Subjects, SUBJECT_TOKEN, TrainyardError } from '@trainyard/contracts';
import { JOIN_TOKEN_TTL_SECONDS } from '@trainyard/domain';
import { credentialsFile, NatsCredentialsError, readNatsCredentials, type NatsCredentials } from '@trainyard/event-log';
import type { FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import type { ApiOptions } from '../api-options';
import { API_OPTIONS } from '../api.tokens';
import { IDENTITY } from '../auth/auth.tokens';
import type { IdentityDirectory } from '../auth/identity-directory';
import { Auth, type RequestAuth } from '../auth/request-auth';
import { newJoinToken, parseJoinToken } from './join-token-secret';
import { ParamCheck } from '../system/query-params';

/**
 * Joining a node (issue 12): an admin asks for a join token for a node id, and the agent on the new
 * machine presents it once (`--join <api> --token T`) to receive that node's NATS credentials. Both
 * steps are events of the log (`ty.ev.iam.join.<id>`); the redeem appends against the issue's
 * sequence, so two agents presenting one token cannot both get in.
 *
 * The credentials come from `TY_JOIN_CREDENTIALS_DIR`, the `yard admin bootstrap` directory: the
 * servers' authorization lists only keys written there, so a node must be bootstrapped first (nats-server
 * 2.9 reads users from its config; docs/architecture.md, "Joining a node").
 */
@Controller()
export class NodeJoinController {
  constructor(
    @Inject(IDENTITY) private readonly identity: IdentityDirectory,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
  ) {}

  /** `{ nodeId, expiresInSeconds? }` (admins) → the token, shown once. */
  @Post('v1/admin/node-join-tokens')
  @HttpCode(201)
  async issue(@Auth() auth: RequestAuth, @Body() body: unknown) {
    const b = asObject(body);
    const check = new ParamCheck();
    let nodeId: string | undefined;
    if (b.nodeId === undefined) check.fail('nodeId', FieldCode.Required, 'nodeId is required');
    else if (typeof b.nodeId !== 'string') check.fail('nodeId', FieldCode.InvalidType, 'nodeId must be a string');
    else nodeId = check.matches('nodeId', b.nodeId, SUBJECT_TOKEN, 'a node id ([A-Za-z0-9_-]{1,128})');
    const ttl = check.int('expiresInSeconds', b.expiresInSeconds === undefined ? undefined : String(b.expiresInSeconds), { ...JOIN_TOKEN_TTL_SECONDS, fallback: JOIN_TOKEN_TTL_SECONDS.default });
    check.done();
    // Refuse before anything is recorded: a token its node could never redeem helps nobody.
    this.credentialsFor(nodeId!, 'nodeId');
    const t = newJoinToken();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + ttl * 1000).toISOString();
    await this.identity.execute(
      Subjects.iamJoinToken(t.tokenId),
      { type: 'IssueJoinToken', data: { tokenId: t.tokenId, secretSha256: t.secretSha256, nodeId: nodeId!, expiresAt, by: auth.principal.id }, metadata: { now: now.toISOString() } },
      auth.principal.id,
    );
    return { tokenId: t.tokenId, nodeId, expiresAt, token: t.token };
  }

  /** `{ token }` from an agent (no principal: the token is the proof) → its node id and NATS credentials. */
  @Post('v1/nodes/join')
  @HttpCode(200)
  async join(@Req() req: FastifyRequest, @Body() body: unknown) {
    const b = asObject(body);
    const parsed = typeof b.token === 'string' ? parseJoinToken(b.token) : undefined;
    if (!parsed) {
      throw new TrainyardError(ErrorCode.ValidationFailed, 'token must be a join token (tyj_…)', [{ path: 'token', code: b.token === undefined ? FieldCode.Required : FieldCode.InvalidFormat, message: 'a join token from yard admin node join-token' }]);
    }
    const token = this.identity.view.joinTokens.get(parsed.tokenId);
    // The credentials are read before the token is spent, so a missing file does not burn it.
    const credentials = token ? this.credentialsFor(token.nodeId, 'token') : undefined;
    await this.identity.execute(
      Subjects.iamJoinToken(parsed.tokenId),
      { type: 'RedeemJoinToken', data: { tokenId: parsed.tokenId, secretSha256: parsed.secretSha256, from: req.ip }, metadata: { now: new Date().toISOString() } },
      `node:${token?.nodeId ?? 'unknown'}`,
    );
    return { nodeId: token!.nodeId, credentials: credentials! };
  }

  private credentialsFor(nodeId: string, field: string): NatsCredentials {
    const dir = this.options.joinCredentialsDir;
    if (!dir) {
      throw new TrainyardError(ErrorCode.IllegalState, 'this API hands out no node credentials: start it with TY_JOIN_CREDENTIALS_DIR (the yard admin bootstrap directory)', [
        { path: field, code: FieldCode.Unknown, message: 'joining is not set up on this API' },
      ]);
    }
    const file = credentialsFile(dir, agentIdentity(nodeId));
    if (!existsSync(file)) {
      throw new TrainyardError(ErrorCode.IllegalState, `node ${nodeId} has no bus credentials yet: run yard admin bootstrap --nodes ${nodeId} --out ${dir} and reload the NATS servers`, [
        { path: field, code: FieldCode.Unknown, message: `node ${nodeId} is not bootstrapped` },
      ]);
    }
    try {
      return readNatsCredentials(file);
    } catch (err) {
      if (err instanceof NatsCredentialsError) throw new TrainyardError(ErrorCode.Internal, err.message);
      throw err;
    }
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new TrainyardError(ErrorCode.ValidationFailed, 'the request body must be a JSON object', [{ path: '', code: FieldCode.InvalidType, message: 'expected a JSON object' }]);
  return body as Record<string, unknown>;
}
