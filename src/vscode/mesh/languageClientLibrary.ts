/**
 * What the window uses of vscode-languageclient. Built as a bundle of its own
 * (`dist/languageclient.js`, see esbuild.mjs) and loaded only when the window starts the lock
 * language server (mesh/lockLanguageClient.ts): the library is most of a megabyte that
 * activation does not need.
 */
export { LanguageClient, RevealOutputChannelOn, TransportKind } from 'vscode-languageclient/node';
