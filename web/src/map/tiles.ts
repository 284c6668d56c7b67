// The optional background tiles named by the site (GET /api/site's `tiles`): a URL template or
// {url, attribution, max_zoom}. Absent: the map has a plain background and needs no internet.

import type { SiteGeoJson, TileSource } from '../types';

export function tileSource(site: SiteGeoJson): TileSource | null {
  const t = site.tiles;
  if (!t) return null;
  if (typeof t === 'string') return { url: t };
  if (typeof t === 'object' && typeof t.url === 'string' && t.url) return t;
  return null;
}
