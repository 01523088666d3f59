import { compileErrors, validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020';
import { RULE, TrainingJobSpecSchema, V2CreateTrainingJobSchema } from '@trainyard/contracts';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { ApiModule } from '../api.module';
import { OPENAPI_DOCUMENT } from './openapi.document';

/** Every route the API module registers, as OpenAPI paths: `:id` becomes `{id}`. */
function registeredRoutes(): { path: string; method: string }[] {
  const controllers = (ApiModule.forRoot({} as never).controllers ?? []) as unknown as (new (...a: never[]) => object)[];
  const routes: { path: string; method: string }[] = [];
  for (const c of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, c) ?? '').replace(/^\/|\/$/g, '');
    for (const key of Object.getOwnPropertyNames(c.prototype)) {
      if (key === 'constructor') continue;
      const handler = c.prototype[key as keyof object];
      const sub = typeof handler === 'function' ? Reflect.getMetadata(PATH_METADATA, handler) : undefined;
      if (sub === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number].toLowerCase();
      const joined = [base, String(sub).replace(/^\/|\/$/g, '')].filter(Boolean).join('/');
      routes.push({ path: `/${joined}`.replace(/:([A-Za-z_]+)/g, '{$1}'), method });
    }
  }
  return routes;
}

describe('openapi document - generated from the wire schema', () => {
  it('passes an OpenAPI 3.1 validator (@readme/openapi-parser)', async () => {
    const result = await validate(structuredClone(OPENAPI_DOCUMENT) as never);
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result.valid).toBe(true);
    expect(result.specification).toBe('OpenAPI');
  });

  it('every component schema is a JSON Schema 2020-12 that compiles (the validator above checks only the document around them)', () => {
    const ajv = new Ajv2020({ strict: true, validateFormats: false, allowUnionTypes: true });
    ajv.addKeyword(RULE);
    const bad: string[] = [];
    for (const [name, schema] of Object.entries(OPENAPI_DOCUMENT.components.schemas)) {
      if (!ajv.validateSchema(schema as object)) bad.push(`${name}: ${ajv.errorsText(ajv.errors)}`);
      else ajv.compile(schema as object);
    }
    expect(bad).toEqual([]);
    expect(ajv.validateSchema({ type: 'strin' })).toBe(false);
  });

  it('embeds the contract schemas themselves, not a restatement', () => {
    const schemas = OPENAPI_DOCUMENT.components.schemas as Record<string, unknown>;
    expect(schemas.TrainingJobSpec).toEqual(JSON.parse(JSON.stringify(TrainingJobSpecSchema)));
    expect(schemas.V2CreateTrainingJob).toEqual(JSON.parse(JSON.stringify(V2CreateTrainingJobSchema)));
    // A schema change shows in the document: the native spec refuses unknown fields, like the validator.
    expect((schemas.TrainingJobSpec as { additionalProperties: boolean }).additionalProperties).toBe(false);
  });

  it('documents every route the API registers, with its method', () => {
    const paths = OPENAPI_DOCUMENT.paths as Record<string, Record<string, unknown>>;
    const missing = registeredRoutes().filter((r) => !paths[r.path]?.[r.method]).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('every $ref points at a schema the document has', () => {
    const refs = [...JSON.stringify(OPENAPI_DOCUMENT).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    const schemas = Object.keys(OPENAPI_DOCUMENT.components.schemas);
    expect(refs.filter((r) => !schemas.includes(r))).toEqual([]);
  });

  it('no request or response body restates an object shape: each is a $ref to a component schema', () => {
    const inline: string[] = [];
    for (const [path, ops] of Object.entries(OPENAPI_DOCUMENT.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const bodies: [string, any][] = [['request', op.requestBody], ...Object.entries<any>(op.responses ?? {})];
        for (const [what, body] of bodies) {
          for (const media of Object.values<any>(body?.content ?? {})) {
            if (media.schema && !media.schema.$ref && JSON.stringify(media.schema).includes('"properties"')) inline.push(`${method.toUpperCase()} ${path} ${what}`);
          }
        }
      }
    }
    expect(inline).toEqual([]);
  });
});
