// The event stream's deltas (GET api/v1/events?delta=1, docs/api.md "Deltas"): after the first whole
// snapshot, each event carries the top-level members that changed, whole (a member it leaves out is the
// base's), but, of the containers, only those that changed ("containers_changed") and, when the list is
// not the same ids in the same order, "container_ids". Applying one to the snapshot of sequence "base"
// gives the next snapshot; containers and members that did not change keep their objects.

// The snapshot that `delta` makes of `base`, or null when it does not apply (another base, or ids it
// does not explain): the caller then asks for a whole snapshot again.
export function applyDelta(base, delta) {
  if (!base || !delta || typeof delta !== 'object') return null;
  if (delta.base !== base.sequence || !Array.isArray(delta.containers_changed)) return null;
  const byId = new Map();
  for (const c of base.containers || []) byId.set(c.id, c);
  for (const c of delta.containers_changed) {
    if (!c || typeof c.id !== 'string') return null;
    byId.set(c.id, c);
  }
  const ids = Array.isArray(delta.container_ids) ? delta.container_ids : (base.containers || []).map((c) => c.id);
  const containers = [];
  for (const id of ids) {
    const c = byId.get(id);
    if (!c) return null;
    containers.push(c);
  }
  const next = { ...base };
  for (const [key, value] of Object.entries(delta)) {
    if (key !== 'base' && key !== 'containers_changed' && key !== 'container_ids') next[key] = value;
  }
  next.containers = containers;
  return next;
}
