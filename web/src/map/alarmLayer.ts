// Open alarms on the map: a marker per alarm (colour by priority, "EX" for exercise alarms,
// pulsing while raised and not yet acknowledged). Clicking one opens its detail.

import L from 'leaflet';
import type { Alarm } from '../types';
import { alarmTitle } from '../alarms';
import { escapeHtml } from '../format';

export class AlarmLayer {
  private readonly group: L.LayerGroup;
  private readonly markers = new Map<number, { marker: L.Marker; key: string }>();
  onSelect: ((id: number) => void) | null = null;

  constructor(map: L.Map) {
    this.group = L.layerGroup().addTo(map);
  }

  update(alarms: Iterable<Alarm>, selected: number | null): void {
    const seen = new Set<number>();
    for (const a of alarms) {
      seen.add(a.id);
      const key = `${a.state}|${a.priority}|${a.exercise}|${a.lat}|${a.lon}|${a.id === selected}`;
      const known = this.markers.get(a.id);
      if (known && known.key === key) continue;
      if (known) this.group.removeLayer(known.marker);
      const cls = [
        'alarm-marker',
        `alarm-${a.priority}`,
        `alarm-${a.state}`,
        a.exercise ? 'alarm-exercise' : '',
        a.id === selected ? 'alarm-selected' : '',
      ].join(' ');
      const marker = L.marker(L.latLng(a.lat, a.lon), {
        icon: L.divIcon({
          className: cls,
          html: `<span data-alarm-marker="${a.id}">${a.exercise ? 'EX' : '!'}</span>`,
          iconSize: [24, 24],
          iconAnchor: [12, 12],
        }),
        zIndexOffset: a.priority === 'high' ? 1000 : 0,
        title: alarmTitle(a),
        keyboard: false,
      });
      marker.bindTooltip(escapeHtml(`#${a.id} ${alarmTitle(a)}`), { direction: 'top', offset: [0, -10] });
      marker.on('click', () => this.onSelect?.(a.id));
      marker.addTo(this.group);
      this.markers.set(a.id, { marker, key });
    }
    for (const [id, m] of this.markers) {
      if (!seen.has(id)) {
        this.group.removeLayer(m.marker);
        this.markers.delete(id);
      }
    }
  }
}
