/**
 * The handshake's cryptography, shared by the broker that answers and the peer that dials:
 * both prove they know the mesh home's secret without sending it (HMAC over a nonce), and the
 * broker keeps only a hash of each session secret.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Proof that the sender knows the secret, bound to its role, the other side's nonce and the
 * port the peer dialled: a program on another port relaying the handshake cannot reuse it.
 */
export function proof(secret: string, role: 'broker' | 'peer', port: number, nonce: string): string {
  return createHmac('sha256', secret).update(`${role}:${port}:${nonce}`).digest('hex');
}

export function proofMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
