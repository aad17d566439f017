/**
 * The `peermesh` command line. Every command honours PEERMESH_HOME, has --help, and exits
 * non-zero with a one-line reason on failure (and, for refused input, its issues one per line
 * below it): 2 for a mistake on the command line or in a file it reads, 1 otherwise.
 */
import { CommanderError } from 'commander';
import { BrokerError } from '../protocol/errors';
import { commandTable } from './commands';
import { cliErrorText } from './error-text';
import { buildProgram } from './program';

async function main(argv: string[]): Promise<void> {
  const program = buildProgram(commandTable);
  // Bare `peermesh` shows the help on stdout and succeeds (commander would call it an error).
  if (argv.length === 0) return void program.outputHelp();
  await program.parseAsync(argv, { from: 'user' });
}

/**
 * Exits once stdout and stderr have taken everything written: to a pipe (`peermesh state get
 * k | jq`) Node writes asynchronously, and exiting at once would cut a long output short.
 */
function exit(code: number): void {
  let open = 2;
  const done = () => --open === 0 && process.exit(code);
  process.stdout.write('', done);
  process.stderr.write('', done);
}

// A reader that stops early (`peermesh events | head`) closes the pipe: the output is done, not failed.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
});

main(process.argv.slice(2)).then(
  () => exit(Number(process.exitCode ?? 0)),
  (e: unknown) => {
    // --help and --version end the parse with a CommanderError whose exit code is 0.
    if (e instanceof CommanderError && e.exitCode === 0) return exit(0);
    // One line, and a refused input's issues after it, indented.
    process.stderr.write(`peermesh: ${cliErrorText(e)}\n`);
    exit(BrokerError.is(e, 'invalidInput') ? 2 : 1);
  },
);
