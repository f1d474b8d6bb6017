// One card per GPU, every vendor alike: vendor, model, UUID/PCI address, the containers using it, utilization, memory bar, temperature, power/limit, fan, memory
// utilization, MIG and lost flags, and a sparkline of utilization and memory. When the GPU source fails the panel says why ("no NVIDIA driver found").
// Issue 13: SM/memory clocks; notes for refused fields (degraded), hidden processes (pid namespace: "run with
// --pid=host") and memory held by no visible process; MIG slices inside the card with who uses each, and
// "n/a" for utilization NVML cannot give on MIG.
import { h, setText, setAttr, bar } from '../dom.js';
import { createChart } from '../charts.js';
import { formatBytes, formatBytesPair, formatPercent, formatPower, formatTemperature, level, percentOf, MISSING } from '../format.js';
import { sourceError } from './sources.js';
import { vendorLabel, containersByGpu, gpuSourceMessage } from '../gpu-vendor.js';

const pct0 = (v) => formatPercent(v, 0);

function stat(label) {
  const value = h('dd', { class: 'num' }, MISSING);
  return { el: [h('dt', {}, label), value], value };
}

function containerName(snapshot, id) {
  const c = (snapshot.containers || []).find((x) => x.id === id);
  return c ? c.name : id.slice(0, 12);
}

function userOf(snapshot, p) {
  const who = p.container_id ? containerName(snapshot, p.container_id) : 'host';
  return `${who} (pid ${p.pid}${p.mps ? ', MPS' : ''})`;
}

// One line per MIG slice: profile, instance ids, memory, utilization (GPM only, else n/a), who uses it.
function updateMig(list, gpu, snapshot) {
  const slices = gpu.mig_devices || [];
  list.hidden = slices.length === 0;
  list.replaceChildren(
    ...slices.map((m) => {
      const users = (snapshot.gpu_processes || []).filter((p) => p.gpu_index === gpu.index && p.gpu_instance_id === m.gpu_instance_id);
      const utilText = m.utilization_percent === undefined ? 'util n/a' : `util ${pct0(m.utilization_percent)}`;
      return h(
        'li',
        { class: 'gpu-mig-slice', 'data-profile': m.profile },
        h('span', { class: 'mono' }, `${m.profile || 'MIG'} · GI ${m.gpu_instance_id} CI ${m.compute_instance_id}`),
        ' ',
        h('span', { class: 'num' }, formatBytesPair(m.memory_used_bytes, m.memory_total_bytes)),
        ' ',
        h('span', { class: 'muted', title: m.utilization_percent === undefined ? 'NVML has no utilization for a MIG slice without GPM (Hopper+)' : 'GPM SM utilization' }, utilText),
        ' ',
        h('span', { class: 'gpu-mig-users' }, users.length ? users.map((p) => userOf(snapshot, p)).join(', ') : 'unused'),
      );
    }),
  );
}

// What the card cannot show, and why.
function updateNotes(list, gpu) {
  const lines = [];
  if (gpu.processes_hidden) {
    lines.push(`${formatBytes(gpu.memory_used_bytes)} in use but no process visible: run with --pid=host to see GPU processes`);
  } else if (gpu.unattributed_memory_bytes > 64 * 1024 * 1024) {
    lines.push(`${formatBytes(gpu.unattributed_memory_bytes)} held by processes we cannot see / dead pids`);
  }
  if (gpu.degraded) for (const field of gpu.degraded_fields || []) lines.push(`not reported: ${field}`);
  list.hidden = lines.length === 0;
  list.replaceChildren(...lines.map((line) => h('li', { class: 'gpu-note' }, line)));
}

function createCard(index) {
  const name = h('span', { class: 'gpu-name' });
  const util = h('span', { class: 'gpu-util num' }, MISSING);
  const memText = h('span', { class: 'num' }, MISSING);
  const memPct = h('span', { class: 'num muted' });
  const memBar = bar();
  const temp = stat('Temp');
  const power = stat('Power');
  const fan = stat('Fan');
  const memUtil = stat('Mem util');
  const clocks = stat('Clocks');
  const notes = h('ul', { class: 'gpu-notes', hidden: true });
  const migList = h('ul', { class: 'gpu-mig', hidden: true, 'aria-label': 'MIG slices' });
  const flag = h('span', { class: 'badge warn', hidden: true }, 'lost');
  const mig = h('span', { class: 'badge', hidden: true, title: 'Multi-Instance GPU mode is on' }, 'MIG');
  const uuid = h('div', { class: 'gpu-uuid mono muted' });
  const vendor = h('span', { class: 'badge gpu-vendor' });
  const users = h('div', { class: 'gpu-users muted' });
  const spark = createChart({
    sparkline: true,
    height: 40,
    max: 100,
    format: pct0,
    series: [{ label: 'Utilization', color: '--c1' }, { label: 'Memory', color: '--c2', fill: false }],
  });
  const el = h(
    'article',
    { class: 'card gpu-card', 'aria-label': `GPU ${index}` },
    h('div', { class: 'gpu-head' }, h('span', { class: 'gpu-index' }, `GPU ${index}`), vendor, name, mig, flag),
    uuid,
    users,
    h('div', { class: 'gpu-main' }, h('div', { class: 'gpu-util-box' }, util, h('span', { class: 'gpu-util-label' }, 'util')), spark.el),
    h('div', { class: 'gpu-mem' }, h('div', { class: 'gpu-mem-line' }, h('span', { class: 'muted' }, 'Memory'), memText, memPct), memBar.el),
    h('dl', { class: 'gpu-stats' }, temp.el, power.el, fan.el, memUtil.el, clocks.el),
    migList,
    notes,
  );
  return {
    el,
    spark,
    update(gpu, snapshot, usedBy = []) {
      setText(name, gpu.name || 'GPU');
      setText(vendor, vendorLabel(gpu));
      setAttr(vendor, 'data-vendor', gpu.vendor || 'nvidia');
      setText(uuid, [gpu.uuid, gpu.pci_bus_id].filter(Boolean).join(' · '));
      setText(users, usedBy.length ? `Used by ${usedBy.join(', ')}` : 'Not in use');
      flag.hidden = !gpu.lost;
      mig.hidden = gpu.mig_enabled !== true;
      el.classList.toggle('lost', !!gpu.lost);
      setText(util, pct0(gpu.utilization_percent));
      const memPercent = percentOf(gpu.memory_used_bytes, gpu.memory_total_bytes);
      setText(memText, formatBytesPair(gpu.memory_used_bytes, gpu.memory_total_bytes));
      setText(memPct, pct0(memPercent));
      memBar.set(memPercent, level(memPercent));
      setText(temp.value, formatTemperature(gpu.temperature_celsius));
      setAttr(temp.value, 'data-level', gpu.temperature_celsius >= 85 ? 'crit' : gpu.temperature_celsius >= 75 ? 'warn' : null);
      setText(power.value, formatPower(gpu.power_draw_milliwatts, gpu.power_limit_milliwatts));
      setText(fan.value, gpu.fan_percent === undefined && gpu.fan_rpm !== undefined ? `${gpu.fan_rpm} rpm` : pct0(gpu.fan_percent));
      setText(memUtil.value, pct0(gpu.memory_utilization_percent));
      setAttr(memUtil.value, 'title', 'share of time the memory was read or written');
      const onMig = gpu.mig_enabled === true;
      if (onMig && gpu.utilization_percent === undefined) {
        setText(util, 'n/a');
        setAttr(util, 'title', 'NVML reports no utilization for a GPU in MIG mode');
      }
      const sm = gpu.sm_clock_mhz;
      setText(clocks.value, sm === undefined ? MISSING : `${sm}/${gpu.memory_clock_mhz ?? MISSING} MHz`);
      setAttr(clocks.value, 'title', `SM ${sm ?? MISSING} of ${gpu.sm_clock_max_mhz ?? MISSING} MHz, memory ${gpu.memory_clock_mhz ?? MISSING} of ${gpu.memory_clock_max_mhz ?? MISSING} MHz`);
      updateMig(migList, gpu, snapshot);
      updateNotes(notes, gpu);
    },
  };
}

export function createGpus() {
  const grid = h('div', { class: 'gpu-grid' });
  const message = h('p', { class: 'card gpu-message', hidden: true });
  const el = h('div', {}, message, grid);
  const cards = new Map();
  let memTotals = {};

  return {
    el,
    update(snapshot) {
      const gpus = snapshot.gpus || [];
      const text = gpuSourceMessage(snapshot, sourceError(snapshot, 'gpu'), sourceError(snapshot, 'gpu-drm'));
      message.hidden = !text;
      setText(message, text);
      const users = containersByGpu(snapshot);
      memTotals = {};
      const seen = new Set();
      for (const gpu of gpus) {
        const key = String(gpu.index);
        seen.add(key);
        memTotals[key] = gpu.memory_total_bytes;
        let card = cards.get(key);
        if (!card) {
          card = createCard(gpu.index);
          cards.set(key, card);
        }
        card.update(gpu, snapshot, users[key]);
        grid.append(card.el);
      }
      for (const [key, card] of cards) {
        if (!seen.has(key)) {
          card.spark.destroy();
          card.el.remove();
          cards.delete(key);
        }
      }
    },
    updateHistory(store) {
      const x = store.xSeconds();
      for (const [key, card] of cards) {
        const series = store.gpus[key];
        if (!series) continue;
        const total = memTotals[key];
        const memPct = series.memory_used_bytes.map((v) => (v === null || !total ? null : (v / total) * 100));
        card.spark.update(x, [series.utilization_percent, memPct]);
      }
    },
  };
}
