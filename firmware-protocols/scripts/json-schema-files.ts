import { allMessageJsonSchemas, type MessageName } from '../src/index.js';

export interface SchemaFile {
  message: MessageName;
  fileName: string;
  text: string;
}

/** One pretty-printed JSON Schema file per message. Pure, so the up-to-date test can call it too. */
export function buildSchemaFiles(): SchemaFile[] {
  return Object.entries(allMessageJsonSchemas()).map(([message, schema]) => ({
    message: message as MessageName,
    fileName: `${message}.json`,
    text: `${JSON.stringify(schema, null, 2)}\n`,
  }));
}
