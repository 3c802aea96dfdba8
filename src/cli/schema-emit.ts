import { writeFile } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { createAppPubSub } from '../api/pubsub.js';
import { buildAppSchema } from '../resolvers/build-schema.js';

/** The schema as committed in schema.graphql, so schema changes show in diffs. */
export async function printAppSchema(): Promise<string> {
  const schema = await buildAppSchema(createAppPubSub());
  return `# Emitted by \`npm run schema:emit\`; do not edit by hand.\n\n${printSchema(schema)}\n`;
}

export async function emitSchema(path: string): Promise<void> {
  await writeFile(path, await printAppSchema(), 'utf8');
}
