// Folder names as `prisma migrate dev --name` makes them: UTC timestamp, underscore, slug of the name.

export function migrationFolderName(name: string, now: Date = new Date()): string {
  const slug = slugify(name);
  if (slug === '') throw new Error(`Migration name ${JSON.stringify(name)} has no letters or digits`);
  return `${utcTimestamp(now)}_${slug}`;
}

/** The CLI's slug: camelCase split into words, accents dropped, lower case, runs of other characters -> "_", 200 max. */
export function slugify(name: string): string {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z\d]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .substring(0, 200);
}

function utcTimestamp(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  );
}
