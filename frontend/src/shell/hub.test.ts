// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { hubUser, logoutLink } from './hub';

describe('hub logout', () => {
  it('knows a hub user from the path, and nothing elsewhere', () => {
    expect(hubUser('/user/alice/')).toBe('alice');
    expect(hubUser('/user/ana_2/notebooks/x.ipynb')).toBe('ana_2');
    expect(hubUser('/')).toBeNull();
    expect(hubUser('/user/Alice/')).toBeNull();
    expect(hubUser('/user/alice')).toBeNull();
  });

  it('links to the hub\'s logout page', () => {
    const a = logoutLink('alice');
    expect(a.getAttribute('href')).toBe('/logout');
    expect(a.textContent).toBe('Log out');
    expect(a.title).toContain('as alice');
  });
});
