// The page's test fixture (test/fixtures/snapshot.json, also what dev-server.mjs serves) must have the shape
// the server sends: tests/golden/api_snapshot.json is the server's /api/v1/snapshot body for its golden
// snapshot (tests/unit/exporters). Compared as sets of key paths (array items merged, label maps opaque:
// their keys are data), with the JSON type of every value both have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, 'fixtures', 'snapshot.json'), 'utf8'));
const golden = JSON.parse(readFileSync(join(here, '..', '..', 'tests', 'golden', 'api_snapshot.json'), 'utf8'));

// Maps whose keys are data, not schema.
const OPAQUE = new Set(['labels']);

const kind = (value) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

// Every key path ("/containers[]/cpu_percent") with the JSON types seen at it.
function shape(value, path = '', out = new Map()) {
  const types = out.get(path) || new Set();
  types.add(kind(value));
  out.set(path, types);
  if (Array.isArray(value)) {
    for (const item of value) shape(item, `${path}[]`, out);
  } else if (kind(value) === 'object' && !OPAQUE.has(path.split('/').pop())) {
    for (const [key, item] of Object.entries(value)) shape(item, `${path}/${key}`, out);
  }
  return out;
}

// What the fixture may have beyond the golden: rates the golden snapshot leaves absent on purpose (absent
// is not zero) next to a counter it has, and the title the HTTP layer adds to the exporter's JSON.
function allowedExtra(path, goldenShape) {
  if (path === '/title') return true;
  const rate = path.match(/^(.*)\/bytes_per_second$/);
  return rate !== null && goldenShape.has(`${rate[1]}/bytes_total`);
}

test('every field the server sends is in the page fixture, with the same type', () => {
  const want = shape(golden);
  const have = shape(fixture);
  const missing = [...want.keys()].filter((path) => !have.has(path));
  assert.deepEqual(missing, [], 'fields of tests/golden/api_snapshot.json missing from web/test/fixtures/snapshot.json');
  for (const [path, types] of want) {
    for (const type of types) {
      if (type === 'array' || type === 'object') continue;
      assert.ok(have.get(path).has(type), `${path}: ${type} in the golden, ${[...have.get(path)]} in the fixture`);
    }
  }
});

test('the page fixture has no field the server does not send', () => {
  const want = shape(golden);
  const extra = [...shape(fixture).keys()].filter((path) => !want.has(path) && !allowedExtra(path, want));
  assert.deepEqual(extra, [], 'fields of web/test/fixtures/snapshot.json that tests/golden/api_snapshot.json lacks');
});

test('the comparison sees a renamed or dropped field', () => {
  const renamed = structuredClone(fixture);
  renamed.host.cpu_busy_pct = renamed.host.cpu_busy_percent;
  delete renamed.host.cpu_busy_percent;
  const have = shape(renamed);
  const want = shape(golden);
  assert.ok(!have.has('/host/cpu_busy_percent') && want.has('/host/cpu_busy_percent'));
  assert.ok(!want.has('/host/cpu_busy_pct') && !allowedExtra('/host/cpu_busy_pct', want));
});
