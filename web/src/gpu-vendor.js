// Pure helpers for the GPU cards, the same for every vendor: the vendor's display name and, per GPU index,
// the containers whose processes use it (from gpu_processes + containers). No DOM here, so node tests it.
const VENDOR_NAMES = { nvidia: 'NVIDIA', amd: 'AMD', intel: 'Intel' };

// "AMD · amdgpu", "NVIDIA"; an older monitor that sends no vendor is NVIDIA (its only backend was NVML).
export function vendorLabel(gpu) {
  const vendor = VENDOR_NAMES[gpu.vendor || 'nvidia'] || gpu.vendor;
  return gpu.driver && gpu.driver !== 'nvidia' ? `${vendor} · ${gpu.driver}` : vendor;
}

// { "<gpu index>": ["name-a", "name-b"] } sorted by name; host processes are counted as "host".
export function containersByGpu(snapshot) {
  const names = new Map((snapshot.containers || []).map((c) => [c.id, c.name || c.short_id || c.id.slice(0, 12)]));
  const out = {};
  for (const p of snapshot.gpu_processes || []) {
    const key = String(p.gpu_index);
    const name = p.container_id ? names.get(p.container_id) || p.container_id.slice(0, 12) : 'host';
    (out[key] ||= new Set()).add(name);
  }
  return Object.fromEntries(Object.entries(out).map(([k, set]) => [k, [...set].sort()]));
}

// What the panel says about the two GPU sources: NVML's failure only matters when no GPU is shown or an
// NVIDIA GPU is among them; a host with only AMD/Intel GPUs has no NVIDIA driver by design.
export function gpuSourceMessage(snapshot, nvmlError, drmError) {
  const gpus = snapshot.gpus || [];
  const hasNvidia = gpus.some((g) => (g.vendor || 'nvidia') === 'nvidia');
  const errors = [];
  if (nvmlError && (hasNvidia || gpus.length === 0)) errors.push(nvmlError);
  if (drmError) errors.push(drmError);
  if (!errors.length) return gpus.length ? '' : 'No GPUs on this host';
  const text = errors.join('; ');
  return gpus.length ? `GPU data may be out of date: ${text}` : text;
}
