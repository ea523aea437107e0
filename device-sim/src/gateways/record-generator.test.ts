import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATA_CLASS_NAMES, type DataClass, dataClassFromProto, syncPayloadSchemas } from '@outpost/protocols';
import { parseMix } from './gateway-load-options.js';
import { RecordGenerator } from './record-generator.js';

const EVERY_CLASS = Object.fromEntries(DATA_CLASS_NAMES.map((c) => [c, 1])) as Record<DataClass, number>;

describe('RecordGenerator', () => {
  it('makes payloads that pass their data class schema (strict) for every class', () => {
    const gen = new RecordGenerator(7, 25, EVERY_CLASS, 3);
    const plan = gen.plan(1, 4000, { wallMs: Date.UTC(2026, 5, 1, 12), logical: 0 });
    const seen = new Set<string>();
    for (const record of gen.records(plan)) {
      const name = dataClassFromProto(record.dataClass)!;
      seen.add(name);
      const parsed = syncPayloadSchemas[name].safeParse(JSON.parse(record.payload.toString('utf8')));
      assert.ok(parsed.success, `${name} seq ${record.seq}: ${parsed.success ? '' : parsed.error.message}`);
    }
    assert.deepEqual([...seen].sort(), [...DATA_CLASS_NAMES].sort());
  });

  it('rebuilds a batch byte for byte from its plan, with contiguous seqs and increasing HLCs', () => {
    const gen = new RecordGenerator(1, 10, parseMix('alert=1,summary=20,deviceState=5,rawReading=74'), 1);
    const plan = gen.plan(41, 50, { wallMs: 1_700_000_000_000, logical: 3 });
    const first = gen.records(plan);
    const again = gen.records(plan);
    assert.deepEqual(again, first);
    assert.deepEqual(first.map((r) => r.seq), Array.from({ length: 50 }, (_, i) => 41 + i));
    for (let i = 1; i < first.length; i++) assert.ok(first[i]!.hlc!.logical > first[i - 1]!.hlc!.logical);
  });

  it('draws the classes in the mix proportions and never a class weighted 0', () => {
    const gen = new RecordGenerator(0, 10, parseMix('alert=1,summary=20,deviceState=5,rawReading=74'), 9);
    const counts = new Map<string, number>();
    for (const c of gen.plan(1, 20_000, { wallMs: 0, logical: 0 }).classes) counts.set(dataClassFromProto(c)!, (counts.get(dataClassFromProto(c)!) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort(), ['alert', 'deviceState', 'rawReading', 'summary']);
    assert.ok(Math.abs(counts.get('rawReading')! / 20_000 - 0.74) < 0.02, `rawReading ${counts.get('rawReading')}`);
    assert.ok(Math.abs(counts.get('alert')! / 20_000 - 0.01) < 0.005, `alert ${counts.get('alert')}`);
  });

  it('keeps alert ids unique per gateway and device ids per gateway', () => {
    const gen = new RecordGenerator(12, 3, { alert: 1 }, 1);
    const payloads = gen.records(gen.plan(1, 300, { wallMs: 1_700_000_000_000, logical: 0 })).map((r) => JSON.parse(r.payload.toString('utf8')) as { alertId: string; deviceId: string });
    assert.equal(new Set(payloads.map((p) => p.alertId)).size, 300);
    assert.deepEqual([...new Set(payloads.map((p) => p.deviceId))].sort(), ['sim12-d0', 'sim12-d1', 'sim12-d2']);
  });
});

describe('parseMix', () => {
  it('reads class=weight pairs and names what is wrong', () => {
    assert.equal(parseMix('alert=2, rawReading=8').rawReading, 8);
    assert.equal(parseMix('alert=2').summary, 0);
    assert.throws(() => parseMix('bogus=1'), /unknown data class "bogus"/);
    assert.throws(() => parseMix('alert=-1'), /alert: expected a weight >= 0/);
    assert.throws(() => parseMix('alert'), /alert: expected a weight/);
    assert.throws(() => parseMix('alert=0'), /at least one weight > 0/);
  });
});
