import { describe, expect, it } from 'vitest';
import {
  authorize,
  cookieName,
  cookieValues,
  isAllowedHost,
  isAllowedOrigin,
  tokensEqual,
} from './web-auth';

const TOKEN = 'abcdefghijklmnop_-0123456789';
const none = new URLSearchParams();

describe('tokensEqual', () => {
  it('matches only the exact token', () => {
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
    expect(tokensEqual(TOKEN.toUpperCase(), TOKEN)).toBe(false);
    expect(tokensEqual(TOKEN.slice(1), TOKEN)).toBe(false);
    expect(tokensEqual(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokensEqual('', TOKEN)).toBe(false);
  });
});

describe('cookieValues', () => {
  it('finds every value of one cookie and nothing of similar names', () => {
    const header = `x=1; ${cookieName(80)}=a;tether_token_8080=b ; ${cookieName(80)}=c; junk`;
    expect(cookieValues(header, cookieName(80))).toEqual(['a', 'c']);
    expect(cookieValues(undefined, cookieName(80))).toEqual([]);
  });
});

describe('authorize', () => {
  it('names where the token was found, preferring the query', () => {
    const cookie = `${cookieName(5000)}=${TOKEN}`;
    const query = new URLSearchParams({ token: TOKEN });
    expect(authorize({ cookie }, query, TOKEN, 5000)).toBe('query');
    expect(authorize({ cookie }, none, TOKEN, 5000)).toBe('cookie');
    expect(authorize({ authorization: `Bearer ${TOKEN}` }, none, TOKEN, 5000)).toBe('bearer');
    expect(authorize({ authorization: `bearer  ${TOKEN} ` }, none, TOKEN, 5000)).toBe('bearer');
  });

  it('refuses wrong tokens, other ports and other schemes', () => {
    expect(authorize({}, none, TOKEN, 5000)).toBeUndefined();
    expect(
      authorize({ cookie: `${cookieName(5001)}=${TOKEN}` }, none, TOKEN, 5000),
    ).toBeUndefined();
    expect(authorize({ authorization: `Basic ${TOKEN}` }, none, TOKEN, 5000)).toBeUndefined();
    expect(authorize({}, new URLSearchParams({ token: `${TOKEN}x` }), TOKEN, 5000)).toBeUndefined();
  });
});

describe('isAllowedHost / isAllowedOrigin', () => {
  it('accepts only our loopback names on our port', () => {
    expect(isAllowedHost('127.0.0.1:5000', 5000)).toBe(true);
    expect(isAllowedHost('LOCALHOST:5000', 5000)).toBe(true);
    for (const host of [
      undefined,
      '127.0.0.1',
      '127.0.0.1:5001',
      'evil.example:5000',
      '[::1]:5000',
    ]) {
      expect(isAllowedHost(host, 5000)).toBe(false);
    }
    expect(isAllowedOrigin('http://127.0.0.1:5000', 5000)).toBe(true);
    expect(isAllowedOrigin('http://localhost:5000', 5000)).toBe(true);
    for (const origin of [
      'null',
      'https://127.0.0.1:5000',
      'http://evil.example',
      'http://127.0.0.1',
    ]) {
      expect(isAllowedOrigin(origin, 5000)).toBe(false);
    }
  });
});
