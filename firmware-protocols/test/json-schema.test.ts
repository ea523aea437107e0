import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildSchemaFiles } from '../scripts/json-schema-files.js';
import { MESSAGE_SCHEMAS, type MessageName, messageJsonSchema } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaDir = join(root, 'schema');
const MESSAGE_NAMES = Object.keys(MESSAGE_SCHEMAS) as MessageName[];
type Schema = Record<string, unknown>;

/** Every sub-schema, with a path for messages, walking the keywords zod's export uses. */
function* subSchemas(schema: Schema, path = '#'): Generator<[string, Schema]> {
  yield [path, schema];
  for (const key of ['properties', '$defs']) {
    const children = schema[key] as Record<string, Schema> | undefined;
    for (const [name, child] of Object.entries(children ?? {})) yield* subSchemas(child, `${path}/${key}/${name}`);
  }
  for (const key of ['items', 'additionalProperties', 'propertyNames']) {
    const child = schema[key];
    if (child && typeof child === 'object') yield* subSchemas(child as Schema, `${path}/${key}`);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const list = (schema[key] as Schema[] | undefined) ?? [];
    for (const [i, child] of list.entries()) yield* subSchemas(child, `${path}/${key}/${i}`);
  }
}

describe('JSON Schema export', () => {
  it('has exactly one file per message', () => {
    const onDisk = readdirSync(schemaDir).filter((name) => name.endsWith('.json')).sort();
    assert.deepEqual(onDisk, MESSAGE_NAMES.map((name) => `${name}.json`).sort());
  });

  it('files are what the exporter writes (run `npm run schemas -w @outpost/protocols` if not)', () => {
    for (const file of buildSchemaFiles()) {
      assert.ok(readFileSync(join(schemaDir, file.fileName), 'utf8') === file.text, `schema/${file.fileName} is out of date`);
    }
  });

  for (const name of MESSAGE_NAMES) {
    it(`${name}: draft 2020-12, versioned, closed objects`, () => {
      const schema = messageJsonSchema(name);
      assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
      assert.equal(schema.$id, `https://outpost.dev/schemas/v1/${name}.json`);
      assert.equal(schema.type, 'object');
      assert.ok((schema.required as string[]).includes('v'), 'v is not required');
      assert.equal((schema.properties as Record<string, Schema>).v?.const, 1);
      // Objects with declared fields are strict in zod, so the schema must refuse unknown fields too;
      // records (free-form props, metrics) declare none and constrain values through additionalProperties.
      for (const [path, sub] of subSchemas(schema)) {
        if (sub.type === 'object' && sub.properties) assert.equal(sub.additionalProperties, false, `${name} ${path} is open`);
      }
    });
  }

  it('accepts the shape of every valid vector: required fields present, no undeclared fields', () => {
    // No JSON Schema validator is installed; this checks the part of the schema that drifts most easily.
    for (const name of MESSAGE_NAMES) {
      const schema = messageJsonSchema(name);
      const declared = Object.keys(schema.properties as Schema);
      const vectors = JSON.parse(readFileSync(join(root, 'test-vectors', `${name}.json`), 'utf8')) as { valid: { name: string; decoded: Schema }[] };
      for (const vector of vectors.valid) {
        for (const key of schema.required as string[]) assert.ok(key in vector.decoded, `${name} "${vector.name}" lacks required ${key}`);
        for (const key of Object.keys(vector.decoded)) assert.ok(declared.includes(key), `${name} "${vector.name}" has undeclared ${key}`);
      }
    }
  });
});
