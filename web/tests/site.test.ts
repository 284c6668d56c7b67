import { describe, expect, it } from 'vitest';
import { tileSource } from '../src/map/tiles';
import type { SiteGeoJson } from '../src/types';

const site = (tiles: unknown): SiteGeoJson => ({ type: 'FeatureCollection', features: [], tiles } as SiteGeoJson);

describe('background tiles from the site', () => {
  it('are absent by default: a plain background, no internet', () => {
    expect(tileSource(site(undefined))).toBeNull();
    expect(tileSource(site(null))).toBeNull();
    expect(tileSource(site(''))).toBeNull();
  });
  it('accept a URL template or an object with a url', () => {
    expect(tileSource(site('http://tiles.local/{z}/{x}/{y}.png'))).toEqual({ url: 'http://tiles.local/{z}/{x}/{y}.png' });
    const t = { url: 'http://tiles.local/{z}/{x}/{y}.png', attribution: '© someone', max_zoom: 19 };
    expect(tileSource(site(t))).toEqual(t);
  });
  it('ignore an object without a url', () => {
    expect(tileSource(site({ attribution: 'x' }))).toBeNull();
    expect(tileSource(site(42))).toBeNull();
  });
});
