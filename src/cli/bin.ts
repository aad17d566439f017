/**
 * The `peermesh` executable. `peermesh hook …` runs on every tool call of every agent, so it
 * goes straight to its own small bundle (dist/hook.js) without loading the rest of the CLI;
 * everything else loads the full command line (dist/main.js).
 */
import { createRequire } from 'node:module';
import type { runHook } from '../hook/main';

const load = createRequire(__filename);
if (process.argv[2] === 'hook') void (load('./hook.js') as { runHook: typeof runHook }).runHook(process.argv.slice(3));
else load('./main.js');
