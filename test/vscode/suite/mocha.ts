/**
 * The suite's one Mocha instance. Importing this module installs Mocha's BDD globals
 * (`describe`, `it`, hooks), so it must be imported before any test file: the suite is bundled
 * into one file, and test files register their tests when the bundle is evaluated.
 */
import Mocha from 'mocha';

// The Base reporter only counts; index.ts collects the results and writes them to a file.
export const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter: Mocha.reporters.Base });
mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'peermesh-vscode-suite', mocha);
