// Fails when src/lib/api/schema.d.ts differs from a fresh generation from
// ../openapi/openapi.json (the committed client has drifted from the API document).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'src/lib/api/schema.d.ts');
const spec = resolve(root, '../openapi/openapi.json');
const dir = mkdtempSync(join(tmpdir(), 'clientele-schema-'));
const fresh = join(dir, 'schema.d.ts');

try {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/openapi-typescript/bin/cli.js'), spec, '-o', fresh],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const a = readFileSync(committed, 'utf8');
  const b = readFileSync(fresh, 'utf8');
  if (a !== b) {
    console.error(
      'src/lib/api/schema.d.ts is out of date with openapi/openapi.json.\n' +
        'Run `npm run generate` in frontend/ and commit the result.',
    );
    process.exit(1);
  }
  console.log('generated API client is up to date');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
