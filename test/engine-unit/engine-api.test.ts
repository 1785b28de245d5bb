import { describe, expect, it } from 'vitest';
import { encodeImageName } from '../../src/engine/engine-api.js';

describe('encodeImageName', () => {
  it('keeps the characters of image references and escapes the rest', () => {
    expect(encodeImageName('localhost:5000/team/app:1.0')).toBe('localhost:5000/team/app:1.0');
    expect(encodeImageName('sha256:abc')).toBe('sha256:abc');
    expect(encodeImageName('app@sha256:abc')).toBe('app@sha256:abc');
    expect(encodeImageName('a b?c')).toBe('a%20b%3Fc');
  });
});
