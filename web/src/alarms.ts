// Ordering and describing alarms for the queue.
//
// The queue is sorted by priority (high, medium, low), then by the time the alarm was raised,
// oldest first — the alarm that has waited longest at a given priority is handled first — then
// by id so the order is total and stable between redraws.

import type { Alarm, Priority } from './types';

export const PRIORITY_RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

export function priorityRank(p: string): number {
  return p in PRIORITY_RANK ? PRIORITY_RANK[p as Priority] : 3;
}

export function compareAlarms(a: Alarm, b: Alarm): number {
  return (
    priorityRank(a.priority) - priorityRank(b.priority) ||
    a.t_raised - b.t_raised ||
    a.id - b.id
  );
}

export function sortAlarms(alarms: Iterable<Alarm>): Alarm[] {
  return [...alarms].sort(compareAlarms);
}

// Where an alarm is, in words: "perimeter segment 7", "zone switchyard", or its coordinates.
export function alarmPlace(a: Alarm): string {
  if (a.fence && a.segment !== null && a.segment !== undefined) {
    return `${a.fence} segment ${a.segment}`;
  }
  if (a.zone) return `zone ${a.zone}`;
  return `${a.east.toFixed(0)} E, ${a.north.toFixed(0)} N`;
}

export function alarmTitle(a: Alarm): string {
  return `${a.kind.replace(/_/g, ' ')} — ${alarmPlace(a)}`;
}

// The next alarm after `currentId` in queue order (wrapping), for keyboard navigation.
export function neighbourAlarm(sorted: Alarm[], currentId: number | null, step: 1 | -1): Alarm | null {
  if (sorted.length === 0) return null;
  const i = currentId === null ? -1 : sorted.findIndex((a) => a.id === currentId);
  if (i < 0) return step === 1 ? (sorted[0] ?? null) : (sorted[sorted.length - 1] ?? null);
  const j = (i + step + sorted.length) % sorted.length;
  return sorted[j] ?? null;
}

export function countByPriority(alarms: Iterable<Alarm>): Record<Priority, number> {
  const c: Record<Priority, number> = { high: 0, medium: 0, low: 0 };
  for (const a of alarms) if (a.priority in c) c[a.priority]++;
  return c;
}
