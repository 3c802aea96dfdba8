import { defineConfig } from 'prisma/config';

// The CLI is used offline only for generate/validate/format (see CONTRIBUTING.md);
// migrations are applied by `spinegraph db migrate`, which records them as `prisma migrate deploy` does.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/spinegraph' },
});
