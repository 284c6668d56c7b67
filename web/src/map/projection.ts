// Web Mercator (EPSG:3857) as Leaflet uses it, inlined for speed: projecting 5,000 tracks with
// their trails through map.latLngToContainerPoint allocates an object per point; this does not.

const MAX_LAT = 85.0511287798;
const RAD = Math.PI / 180;

// World pixel coordinates at `zoom` (256 px tiles), matching L.CRS.EPSG3857.latLngToPoint.
export function worldX(lon: number, zoom: number): number {
  return ((lon + 180) / 360) * 256 * 2 ** zoom;
}

export function worldY(lat: number, zoom: number): number {
  const l = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  const s = Math.sin(l * RAD);
  return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256 * 2 ** zoom;
}

// Ground metres per screen pixel at latitude `lat` and `zoom`.
export function metresPerPixel(lat: number, zoom: number): number {
  return (40075016.686 * Math.cos(lat * RAD)) / (256 * 2 ** zoom);
}
