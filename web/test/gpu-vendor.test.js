import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vendorLabel, containersByGpu, gpuSourceMessage } from '../src/gpu-vendor.js';

test('vendor label names every vendor the same way', () => {
  assert.equal(vendorLabel({ vendor: 'amd', driver: 'amdgpu' }), 'AMD · amdgpu');
  assert.equal(vendorLabel({ vendor: 'intel', driver: 'xe' }), 'Intel · xe');
  assert.equal(vendorLabel({ vendor: 'nvidia', driver: 'nvidia' }), 'NVIDIA');
  assert.equal(vendorLabel({}), 'NVIDIA');
});

test('containers per GPU come from the processes, host processes as "host"', () => {
  const snapshot = {
    containers: [{ id: 'a'.repeat(64), name: 'ana' }, { id: 'b'.repeat(64), name: 'bob' }],
    gpu_processes: [
      { gpu_index: 1, container_id: 'b'.repeat(64) },
      { gpu_index: 1, container_id: 'a'.repeat(64) },
      { gpu_index: 1, container_id: 'a'.repeat(64) },
      { gpu_index: 0 },
    ],
  };
  assert.deepEqual(containersByGpu(snapshot), { 0: ['host'], 1: ['ana', 'bob'] });
  assert.deepEqual(containersByGpu({}), {});
});

test('no NVIDIA driver is not a problem on an AMD-only host', () => {
  const amd = { gpus: [{ index: 0, vendor: 'amd' }] };
  assert.equal(gpuSourceMessage(amd, 'no NVIDIA driver found', undefined), '');
  const mixed = { gpus: [{ index: 0, vendor: 'nvidia' }, { index: 1, vendor: 'amd' }] };
  assert.equal(gpuSourceMessage(mixed, 'GPU 0 lost', undefined), 'GPU data may be out of date: GPU 0 lost');
  assert.equal(gpuSourceMessage({ gpus: [] }, 'no NVIDIA driver found', undefined), 'no NVIDIA driver found');
  assert.equal(gpuSourceMessage({ gpus: [] }, undefined, undefined), 'No GPUs on this host');
});
