import { HOPS } from '../../src/doctor/hops/index.js';
import { HOP_IDS } from '../../src/doctor/model.js';

test('hops/index.ts lists every hop of the report exactly once', () => {
  expect(HOPS.map((h) => h.id).sort()).toEqual([...HOP_IDS].sort());
});

test('a hop that reads another runs after it', () => {
  const before = new Set<string>();
  for (const hop of HOPS) {
    for (const read of hop.reads ?? [])
      expect(`${hop.id} reads ${read}: ${before.has(read) ? 'after it' : 'before it'}`).toBe(
        `${hop.id} reads ${read}: after it`,
      );
    before.add(hop.id);
  }
});
