// Offline `prisma migrate dev --create-only` / `prisma migrate diff`: the SQL from the committed migrations to
// prisma/schema.prisma, computed by Prisma's schema engine (wasm) on in-memory databases.
//
//   npx tsx scripts/migration-diff.ts                 print the SQL (nothing when they agree)
//   npx tsx scripts/migration-diff.ts --name NAME     write prisma/migrations/<timestamp>_<name>/migration.sql
//   npx tsx scripts/migration-diff.ts --check         exit 1, printing the SQL, when they disagree
// Options: --schema PATH (default prisma/schema.prisma), --migrations DIR (default prisma/migrations),
//          --allow-empty (with --name: write an empty migration for hand-written SQL).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { diffMigrationsToSchema, writeMigration } from '../src/db/migrations/schema-diff.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    check: { type: 'boolean', default: false },
    schema: { type: 'string', default: path.join(repoRoot, 'prisma/schema.prisma') },
    migrations: { type: 'string', default: path.join(repoRoot, 'prisma/migrations') },
    'allow-empty': { type: 'boolean', default: false },
  },
});

const diff = await diffMigrationsToSchema({ migrationsDir: values.migrations, schemaPath: values.schema });

if (values.check) {
  if (diff.hasChanges) {
    console.error(`${values.schema} and the migrations in ${values.migrations} disagree. Missing migration SQL:\n`);
    process.stdout.write(diff.sql);
    console.error('Create the migration with: npx tsx scripts/migration-diff.ts --name <what_changed>');
    process.exit(1);
  }
  console.error('schema.prisma and the migrations agree.');
} else if (values.name !== undefined) {
  if (!diff.hasChanges && !values['allow-empty']) {
    console.error('schema.prisma and the migrations already agree: no migration written (use --allow-empty for hand-written SQL).');
  } else {
    const sql = diff.hasChanges ? diff.sql : '-- This is an empty migration.\n';
    const written = await writeMigration({ migrationsDir: values.migrations, name: values.name, sql });
    console.error(`Wrote ${path.relative(process.cwd(), written.file)}. Review it, then commit it with schema.prisma.`);
  }
} else if (diff.hasChanges) {
  process.stdout.write(diff.sql);
} else {
  console.error('schema.prisma and the migrations agree.');
}
