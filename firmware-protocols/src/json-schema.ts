import { z } from 'zod';
import { MESSAGE_SCHEMAS, type MessageName } from './messages/index.js';

/** JSON Schema (draft 2020-12) for one message, for firmware authors and other languages. */
export function messageJsonSchema(name: MessageName): Record<string, unknown> {
  const schema = z.toJSONSchema(MESSAGE_SCHEMAS[name], { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
  return { $id: `https://outpost.dev/schemas/v1/${name}.json`, title: name, ...schema };
}

/** Every message's JSON Schema, keyed by message name. */
export function allMessageJsonSchemas(): Record<MessageName, Record<string, unknown>> {
  const out = {} as Record<MessageName, Record<string, unknown>>;
  for (const name of Object.keys(MESSAGE_SCHEMAS) as MessageName[]) out[name] = messageJsonSchema(name);
  return out;
}
