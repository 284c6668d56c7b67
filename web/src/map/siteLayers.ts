// The site drawn from GET /api/site (GeoJSON): zones, sensor coverage, fences with their numbered
// segments, and sensor positions. No internet: the map's background is plain unless the site
// configuration names a tile source (the optional `tiles` property), which is then added below.

import L from 'leaflet';
import type { Sensor, SiteFeature, SiteGeoJson } from '../types';
import { tileSource } from './tiles';
import { escapeHtml, volumeBand } from '../format';

const ZONE_STYLE: Record<string, { color: string; fill: string }> = {
  protected: { color: '#4c7a5a', fill: '#2f5e3f' },
  critical: { color: '#d0453a', fill: '#7a2a24' },
  approach: { color: '#c9a227', fill: '#6b5a1c' },
  buffer: { color: '#5a7a9a', fill: '#2c4a66' },
};

const AIRSPACE_COLOUR = '#b05cd6';

const SENSOR_STATUS_COLOUR: Record<string, string> = {
  ok: '#4caf50',
  fault: '#f44336',
  tamper: '#ff9800',
  unknown: '#9e9e9e',
};

export class SiteLayers {
  readonly zones: L.GeoJSON;
  readonly coverage: L.GeoJSON;
  readonly fences: L.GeoJSON;
  readonly segmentLabels: L.LayerGroup;
  readonly sensors: L.LayerGroup;
  readonly highlight: L.LayerGroup;
  private readonly sensorMarkers = new Map<string, L.CircleMarker>();
  private readonly segmentLines = new Map<string, L.Polyline>();
  readonly bounds: L.LatLngBounds | null;

  constructor(
    private readonly map: L.Map,
    site: SiteGeoJson,
    renderer: L.Renderer,
  ) {
    const byKind = (k: string) => site.features.filter((f) => f.properties.kind === k);
    const tiles = tileSource(site);
    if (tiles) {
      L.tileLayer(tiles.url, {
        attribution: tiles.attribution ?? '',
        maxZoom: tiles.max_zoom ?? 22,
      }).addTo(map);
      // Tile providers require their attribution to be shown.
      if (tiles.attribution) L.control.attribution({ prefix: false }).addTo(map);
    }

    this.zones = L.geoJSON(fc(byKind('zone')), {
      renderer,
      style: (f) => {
        const s = ZONE_STYLE[String(f?.properties.zone_kind)] ?? ZONE_STYLE.protected!;
        // Airspace volumes (a floor or a ceiling): dashed outline, lighter fill.
        const band = volumeBand(f?.properties as Record<string, unknown> | undefined);
        return {
          color: band ? AIRSPACE_COLOUR : s.color,
          weight: band ? 2 : 1,
          dashArray: band ? '8 4' : undefined,
          fillColor: band ? AIRSPACE_COLOUR : s.fill,
          fillOpacity: band ? 0.12 : 0.25,
          renderer,
        } as L.PathOptions;
      },
      onEachFeature: (f, layer) => {
        const p = f.properties as Record<string, unknown>;
        const band = volumeBand(p);
        layer.bindTooltip(
          `${escapeHtml(String(p.name ?? p.id))} (${escapeHtml(String(p.zone_kind))})${band ? ' · airspace ' + escapeHtml(band) : ''}`,
          { sticky: true },
        );
      },
    } as L.GeoJSONOptions).addTo(map);

    this.coverage = L.geoJSON(fc(byKind('coverage')), {
      renderer,
      style: (f) => {
        const isLine = f?.geometry.type === 'LineString';
        return {
          color: isLine ? '#00bcd4' : '#8ab4f8',
          weight: isLine ? 6 : 1,
          opacity: isLine ? 0.35 : 0.5,
          fillOpacity: 0.06,
          dashArray: isLine ? undefined : '4 4',
          interactive: false,
          renderer,
        } as L.PathOptions;
      },
    } as L.GeoJSONOptions).addTo(map);

    this.fences = L.geoJSON(fc([...byKind('fence'), ...byKind('segment')]), {
      renderer,
      style: (f) =>
        f?.properties.kind === 'fence'
          ? ({ color: '#e0e0e0', weight: 3, opacity: 0.9, renderer } as L.PathOptions)
          : ({ color: '#e0e0e0', weight: 1, opacity: 0, renderer } as L.PathOptions),
      onEachFeature: (f, layer) => {
        const p = f.properties as Record<string, unknown>;
        if (p.kind === 'segment') {
          this.segmentLines.set(`${p.fence}#${p.segment}`, layer as L.Polyline);
          layer.bindTooltip(`${escapeHtml(String(p.fence))} segment ${escapeHtml(String(p.segment))}`, {
            sticky: true,
          });
        } else {
          layer.bindTooltip(escapeHtml(String(p.name ?? p.id)), { sticky: true });
        }
      },
    } as L.GeoJSONOptions).addTo(map);

    // Segment numbers at each segment's middle, and a tick at each segment boundary.
    this.segmentLabels = L.layerGroup().addTo(map);
    for (const f of byKind('segment')) {
      if (f.geometry.type !== 'LineString') continue;
      const coords = f.geometry.coordinates;
      const mid = midpoint(coords);
      if (mid) {
        L.marker(L.latLng(mid[1], mid[0]), {
          interactive: false,
          keyboard: false,
          icon: L.divIcon({
            className: 'segment-label',
            html: escapeHtml(String(f.properties.segment)),
            iconSize: [22, 14],
            iconAnchor: [11, 7],
          }),
        }).addTo(this.segmentLabels);
      }
      const first = coords[0];
      if (first) {
        L.circleMarker(L.latLng(first[1], first[0]), {
          renderer,
          radius: 2,
          color: '#e0e0e0',
          weight: 1,
          fillOpacity: 1,
          interactive: false,
        }).addTo(this.segmentLabels);
      }
    }

    this.sensors = L.layerGroup().addTo(map);
    for (const f of byKind('sensor')) {
      if (f.geometry.type !== 'Point') continue;
      const [lon, lat] = f.geometry.coordinates;
      const id = String(f.properties.id);
      const m = L.circleMarker(L.latLng(lat, lon), {
        renderer,
        radius: 6,
        color: '#ffffff',
        weight: 2,
        fillColor: SENSOR_STATUS_COLOUR.unknown,
        fillOpacity: 1,
      });
      m.bindTooltip(`${escapeHtml(id)} (${escapeHtml(String(f.properties.type))})`, {
        permanent: true,
        direction: 'right',
        className: 'sensor-label',
        offset: [6, 0],
      });
      m.addTo(this.sensors);
      this.sensorMarkers.set(id, m);
    }
    this.highlight = L.layerGroup().addTo(map);

    const all = L.geoJSON(fc(site.features.filter((f) => f.properties.kind !== 'coverage')));
    const b = all.getBounds();
    this.bounds = b.isValid() ? b : null;

    const onZoom = () => {
      map.getContainer().classList.toggle('show-segment-labels', map.getZoom() >= 16);
    };
    map.on('zoomend', onZoom);
    onZoom();
  }

  setSensorStatus(sensors: Iterable<Sensor>): void {
    for (const s of sensors) {
      const m = this.sensorMarkers.get(s.id);
      if (m) m.setStyle({ fillColor: SENSOR_STATUS_COLOUR[s.status] ?? SENSOR_STATUS_COLOUR.unknown });
    }
  }

  // Emphasises the sensors and the fence segment of an alarm (empty arguments clear it).
  highlightAlarm(sensorIds: string[], fence: string | null, segment: number | null): void {
    this.highlight.clearLayers();
    for (const id of sensorIds) {
      const m = this.sensorMarkers.get(id);
      if (m) {
        L.circleMarker(m.getLatLng(), {
          radius: 12,
          color: '#00e5ff',
          weight: 2,
          fill: false,
          interactive: false,
        }).addTo(this.highlight);
      }
    }
    if (fence && segment !== null) {
      const seg = this.segmentLines.get(`${fence}#${segment}`);
      if (seg) {
        L.polyline(seg.getLatLngs() as L.LatLng[], {
          color: '#ff1744',
          weight: 7,
          opacity: 0.8,
          interactive: false,
        }).addTo(this.highlight);
      }
    }
  }

  fit(): void {
    if (this.bounds) this.map.fitBounds(this.bounds.pad(0.15));
  }
}

function fc(features: SiteFeature[]): GeoJSON.FeatureCollection {
  return { type: 'FeatureCollection', features } as unknown as GeoJSON.FeatureCollection;
}

function midpoint(coords: [number, number][]): [number, number] | null {
  if (coords.length === 0) return null;
  if (coords.length === 1) return coords[0] ?? null;
  // The point half-way along the polyline (segments are short: planar interpolation is enough).
  let total = 0;
  const lens: number[] = [];
  for (let i = 1; i < coords.length; i++) {
    const a = coords[i - 1] as [number, number];
    const b = coords[i] as [number, number];
    const l = Math.hypot(b[0] - a[0], b[1] - a[1]);
    lens.push(l);
    total += l;
  }
  let half = total / 2;
  for (let i = 1; i < coords.length; i++) {
    const l = lens[i - 1] as number;
    const a = coords[i - 1] as [number, number];
    const b = coords[i] as [number, number];
    if (half <= l || i === coords.length - 1) {
      const f = l > 0 ? half / l : 0;
      return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
    }
    half -= l;
  }
  return coords[0] ?? null;
}
