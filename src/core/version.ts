import { version as packageVersion } from '../../package.json';

/** The PeerMesh version, from package.json. */
export const version: string = packageVersion;
