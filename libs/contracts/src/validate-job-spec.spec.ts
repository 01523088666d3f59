import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldCode, type FieldError } from './errors';
import { LAUNCH_METHODS, type TrainingJobSpec } from './job-spec';
import { SET_HIGH_PRIORITY, validateJobSpec } from './validate-job-spec';
import { failoverTerminationGraceSeconds } from './platform-variables';

type Doc = Record<string, any>;

/** A minimal valid document; tests mutate a fresh copy. */
function doc(): Doc {
  return {
    kind: 'job',
    metadata: { name: 'hello' },
    algorithm: { command: 'python3 train.py' },
    spec: { resource: { flavor: { cpu: 1, memoryMiB: 256 } } },
  };
}

function errorsOf(d: unknown, caller?: { permissions: string[] }): FieldError[] {
  const r = validateJobSpec(d, caller);
  return r.ok ? [] : r.errors;
}

/** Path, code and rule of every error, for exact comparisons that ignore messages. */
const brief = (errors: FieldError[]) => errors.map((e) => ({ path: e.path, code: e.code, ...(e.rule ? { rule: e.rule } : {}) }));

function expectOnly(d: unknown, ...expected: { path: string; code: string; rule?: string }[]) {
  expect(brief(errorsOf(d))).toEqual(expected);
}

const with_ = (f: (d: Doc) => void): Doc => {
  const d = doc();
  f(d);
  return d;
};

describe('validateJobSpec - accepted documents', () => {
  it('accepts the minimal document and returns it typed', () => {
    const d = doc();
    const r = validateJobSpec(d);
    expect(r).toEqual({ ok: true, spec: d });
  });

  it('accepts a full preset-framework document', () => {
    const full: TrainingJobSpec = {
      kind: 'job',
      metadata: {
        name: 'resnet-50_v2',
        description: '图像分类 training, run 2. 第二次，完成。',
        annotations: { 'fault-tolerance/job-retry-num': '8', 'fault-tolerance/hang-retry': 'true', 'fault-tolerance/pod-retry-num': '3', team: 'vision', 'any.key/x y': 'ok' },
        tags: [{ key: 'team', value: 'vision' }, { key: 'cost', value: '' }],
      },
      algorithm: {
        engine: { name: 'pytorch', version: '2.3' },
        bootFile: '/srv/code/resnet/train.py',
        codeDir: '/srv/code/resnet',
        image: 'registry.local/pytorch:2.3',
        launchMethod: 'torchrun',
        userId: 0,
        workingDir: '/srv/code',
        parameters: [{ name: 'epochs', value: '2' }, { name: 'lr', value: '0.1' }],
        inputs: [{ name: 'data_url', path: '/data/imagenet' }, { name: 'DATA_ROOT', path: '/data/extra', accessMethod: 'env' }],
        outputs: [{ name: 'train_url', path: '/out/resnet', accessMethod: 'parameter' }],
        environments: { NCCL_DEBUG: 'INFO', _private: '1', ma_lower: 'allowed' },
      },
      spec: {
        resource: { pool: 'gpu-a100', flavor: { cpu: 0.5, memoryMiB: 1024, gpu: 1, npu: 0, acceleratorType: 'nvidia-a100' }, nodeCount: 8, affinityGroupSize: 4 },
        priority: 3,
        preemptible: true,
        maxRunHours: 720,
        runtime: 'container',
      },
    };
    expect(errorsOf(full, { permissions: [SET_HIGH_PRIORITY] })).toEqual([]);
  });

  it('accepts every launch method with a boot file (preset framework)', () => {
    for (const m of LAUNCH_METHODS) {
      const d = with_((x) => (x.algorithm = { engine: { name: 'PyTorch', version: '1.13' }, codeDir: '/srv/ddp', bootFile: 'train.py', launchMethod: m }));
      expect(errorsOf(d)).toEqual([]);
    }
    expect(errorsOf(with_((d) => (d.algorithm.launchMethod = 'custom')))).toEqual([]);
  });
});

describe('validateJobSpec - the issue example', () => {
  it('bad name, 101 environment variables and priority 4 give exactly three errors', () => {
    const d = doc();
    d.metadata.name = 'bad name!';
    d.algorithm.environments = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`VAR_${i}`, String(i)]));
    d.spec.priority = 4;
    expectOnly(
      d,
      { path: 'metadata.name', code: FieldCode.InvalidFormat, rule: 'V1' },
      { path: 'algorithm.environments', code: FieldCode.TooMany, rule: 'V12' },
      { path: 'spec.priority', code: FieldCode.OutOfRange, rule: 'V15' },
    );
    for (const e of errorsOf(d)) expect(e.message.length).toBeGreaterThan(0);
  });
});

describe('validateJobSpec - structure', () => {
  it('refuses a non-object document at the root path', () => {
    for (const bad of [null, 42, 'job', [], undefined]) {
      const errors = errorsOf(bad);
      expect(errors).toHaveLength(1);
      expect(errors[0].path).toBe('');
    }
  });

  it('reports missing sections and kind', () => {
    expectOnly(
      {},
      { path: 'kind', code: FieldCode.Required },
      { path: 'metadata', code: FieldCode.Required },
      { path: 'algorithm', code: FieldCode.Required },
      { path: 'spec', code: FieldCode.Required },
    );
    expectOnly(with_((d) => (d.kind = 'edge_job')), { path: 'kind', code: FieldCode.InvalidFormat });
  });

  it('reports unknown fields at every level, so typos do not pass', () => {
    expectOnly(
      with_((d) => {
        d.apiVersion = 'v2';
        d.metadata.nmae = 'x';
        d.algorithm.comand = 'x';
        d.spec.resource.flavor.gpus = 1;
        d.spec.maxRunHour = 3;
      }),
      { path: 'apiVersion', code: FieldCode.Unknown },
      { path: 'metadata.nmae', code: FieldCode.Unknown },
      { path: 'algorithm.comand', code: FieldCode.Unknown },
      { path: 'spec.maxRunHour', code: FieldCode.Unknown },
      { path: 'spec.resource.flavor.gpus', code: FieldCode.Unknown },
    );
  });

  it('reports a wrong type, including null for an optional field', () => {
    expectOnly(with_((d) => (d.metadata.description = null)), { path: 'metadata.description', code: FieldCode.InvalidType, rule: 'V2' });
    expectOnly(with_((d) => (d.spec.preemptible = 'yes')), { path: 'spec.preemptible', code: FieldCode.InvalidType, rule: 'V16' });
    expectOnly(with_((d) => (d.algorithm.parameters = {})), { path: 'algorithm.parameters', code: FieldCode.InvalidType });
    expectOnly(with_((d) => (d.metadata = [])), { path: 'metadata', code: FieldCode.InvalidType });
  });

  it('collects every error of a document, not just the first', () => {
    const d = with_((d) => {
      d.metadata.name = '';
      d.algorithm.userId = -1;
      d.algorithm.workingDir = 'relative';
      d.spec.resource.flavor.cpu = 0;
      d.spec.resource.nodeCount = 0;
      d.spec.maxRunHours = 721;
      d.spec.runtime = 'docker';
    });
    expect(brief(errorsOf(d)).map((e) => e.path)).toEqual([
      'metadata.name',
      'algorithm.userId',
      'algorithm.workingDir',
      'spec.resource.flavor.cpu',
      'spec.resource.nodeCount',
      'spec.maxRunHours',
      'spec.runtime',
    ]);
  });
});

describe('validateJobSpec - V1 name, V2 description', () => {
  it('name: 1–64 of letters, digits, - and _', () => {
    expect(errorsOf(with_((d) => (d.metadata.name = 'a'.repeat(64))))).toEqual([]);
    expectOnly(with_((d) => (d.metadata.name = 'a'.repeat(65))), { path: 'metadata.name', code: FieldCode.TooLong, rule: 'V1' });
    expectOnly(with_((d) => (d.metadata.name = '')), { path: 'metadata.name', code: FieldCode.Required, rule: 'V1' });
    expectOnly(with_((d) => (d.metadata.name = '训练')), { path: 'metadata.name', code: FieldCode.InvalidFormat, rule: 'V1' });
    expectOnly(with_((d) => delete d.metadata.name), { path: 'metadata.name', code: FieldCode.Required, rule: 'V1' });
  });

  it('description: ≤ 256 characters of the allowed set, Chinese counted as one', () => {
    expect(errorsOf(with_((d) => (d.metadata.description = '训'.repeat(256))))).toEqual([]);
    expect(errorsOf(with_((d) => (d.metadata.description = 'a-b_c, d. e，f。')))).toEqual([]);
    expectOnly(with_((d) => (d.metadata.description = '训'.repeat(257))), { path: 'metadata.description', code: FieldCode.TooLong, rule: 'V2' });
    for (const bad of ['why?', 'a\nb', 'tab\there', 'emoji 🚀', 'x/y'])
      expectOnly(with_((d) => (d.metadata.description = bad)), { path: 'metadata.description', code: FieldCode.InvalidFormat, rule: 'V2' });
  });
});

describe('validateJobSpec - V4/V5 boot mode', () => {
  const preset = (d: Doc) => {
    delete d.algorithm.command;
    d.algorithm.engine = { name: 'pytorch', version: '2.3' };
    d.algorithm.bootFile = 'train.py';
    d.algorithm.codeDir = '/srv/code/x';
  };

  it('needs exactly one of command and engine+bootFile', () => {
    expect(errorsOf(with_(preset))).toEqual([]);
    expectOnly(with_((d) => delete d.algorithm.command), { path: 'algorithm.command', code: FieldCode.Required, rule: 'V5' });
    expectOnly(with_((d) => { preset(d); d.algorithm.command = 'python x.py'; }), { path: 'algorithm.command', code: FieldCode.Conflict, rule: 'V5' });
    expectOnly(with_((d) => (d.algorithm.command = '  ')), { path: 'algorithm.command', code: FieldCode.Required, rule: 'V5' });
  });

  it('the preset framework needs engine, bootFile and codeDir', () => {
    expectOnly(with_((d) => { preset(d); delete d.algorithm.bootFile; }), { path: 'algorithm.bootFile', code: FieldCode.Required, rule: 'V4' });
    expectOnly(with_((d) => { preset(d); delete d.algorithm.engine; }), { path: 'algorithm.engine', code: FieldCode.Required, rule: 'V4' });
    expectOnly(with_((d) => { preset(d); delete d.algorithm.codeDir; }), { path: 'algorithm.codeDir', code: FieldCode.Required, rule: 'V4' });
    expectOnly(with_((d) => { preset(d); d.algorithm.engine = { name: 'pytorch' }; }), { path: 'algorithm.engine.version', code: FieldCode.Required, rule: 'V4' });
  });

  it('the boot file is a .py inside codeDir', () => {
    expectOnly(with_((d) => { preset(d); d.algorithm.bootFile = 'main.sh'; }), { path: 'algorithm.bootFile', code: FieldCode.InvalidFormat, rule: 'V4' });
    expectOnly(with_((d) => { preset(d); d.algorithm.bootFile = '../other/train.py'; }), { path: 'algorithm.bootFile', code: FieldCode.InvalidFormat, rule: 'V4' });
    expectOnly(with_((d) => { preset(d); d.algorithm.bootFile = '/srv/code/xy/train.py'; }), { path: 'algorithm.bootFile', code: FieldCode.InvalidFormat, rule: 'V4' });
    expect(errorsOf(with_((d) => { preset(d); d.algorithm.bootFile = '/srv/code/x/sub/train.py'; }))).toEqual([]);
  });
});

describe('validateJobSpec - V6 userId, V8 workingDir, runtime', () => {
  it('userId is an integer 0–65535', () => {
    for (const ok of [0, 1000, 65535]) expect(errorsOf(with_((d) => (d.algorithm.userId = ok)))).toEqual([]);
    for (const [bad, code] of [[-1, FieldCode.OutOfRange], [65536, FieldCode.OutOfRange], [1.5, FieldCode.InvalidType], ['1000', FieldCode.InvalidType]] as const)
      expectOnly(with_((d) => (d.algorithm.userId = bad)), { path: 'algorithm.userId', code, rule: 'V6' });
  });

  it('workingDir is absolute, without .., and an ancestor of an absolute boot file', () => {
    expect(errorsOf(with_((d) => (d.algorithm.workingDir = '/home/user/run')))).toEqual([]);
    for (const bad of ['relative/dir', '/a/../b'])
      expectOnly(with_((d) => (d.algorithm.workingDir = bad)), { path: 'algorithm.workingDir', code: FieldCode.InvalidFormat, rule: 'V8' });
    const presetAt = (wd: string) => with_((d) => {
      delete d.algorithm.command;
      Object.assign(d.algorithm, { engine: { name: 'pytorch', version: '2' }, codeDir: '/srv/code', bootFile: '/srv/code/a/train.py', workingDir: wd });
    });
    for (const ok of ['/', '/srv', '/srv/code/a/']) expect(errorsOf(presetAt(ok))).toEqual([]);
    for (const bad of ['/opt', '/srv/code/a/train.py', '/srv/co'])
      expectOnly(presetAt(bad), { path: 'algorithm.workingDir', code: FieldCode.InvalidFormat, rule: 'V8' });
  });

  it('runtime is process or container, and container needs an image', () => {
    expectOnly(with_((d) => (d.spec.runtime = 'docker')), { path: 'spec.runtime', code: FieldCode.InvalidFormat });
    expectOnly(with_((d) => (d.spec.runtime = 'container')), { path: 'algorithm.image', code: FieldCode.Required, rule: 'V5' });
    expect(errorsOf(with_((d) => { d.spec.runtime = 'container'; d.algorithm.image = 'busybox:1'; }))).toEqual([]);
    expectOnly(with_((d) => (d.algorithm.image = 'bad image')), { path: 'algorithm.image', code: FieldCode.InvalidFormat });
  });

  it('launchMethod is one of LAUNCH_METHODS', () => {
    expectOnly(with_((d) => (d.algorithm.launchMethod = 'deepspeed')), { path: 'algorithm.launchMethod', code: FieldCode.InvalidFormat });
  });
});

describe('validateJobSpec - V12 parameters and environment variables', () => {
  const params = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `p${i}`, value: String(i) }));

  it('at most 100 parameters with valid, unique names and string values', () => {
    expect(errorsOf(with_((d) => (d.algorithm.parameters = params(100))))).toEqual([]);
    expectOnly(with_((d) => (d.algorithm.parameters = params(101))), { path: 'algorithm.parameters', code: FieldCode.TooMany, rule: 'V12' });
    expectOnly(
      with_((d) => {
        d.algorithm.parameters = params(6);
        d.algorithm.parameters[3].name = 'bad name';
        d.algorithm.parameters[4].name = 'p'.repeat(65);
        d.algorithm.parameters[5].name = 'p1';
        d.algorithm.parameters[2].value = 2;
        d.algorithm.parameters[1].extra = true;
      }),
      { path: 'algorithm.parameters[1].extra', code: FieldCode.Unknown },
      { path: 'algorithm.parameters[2].value', code: FieldCode.InvalidType },
      { path: 'algorithm.parameters[3].name', code: FieldCode.InvalidFormat, rule: 'V12' },
      { path: 'algorithm.parameters[4].name', code: FieldCode.TooLong, rule: 'V12' },
      { path: 'algorithm.parameters[5].name', code: FieldCode.Duplicate, rule: 'V12' },
    );
  });

  it('environment names are shell identifiers that do not start with MA_ (L11962)', () => {
    expectOnly(
      with_((d) => (d.algorithm.environments = { MA_FOO: '1', '1ABC': 'x', 'A.B': 'y', 'A-B': 'z', OK: 3, ma_ok: 'fine' })),
      { path: 'algorithm.environments.MA_FOO', code: FieldCode.Forbidden, rule: 'V12' },
      { path: 'algorithm.environments.1ABC', code: FieldCode.InvalidFormat, rule: 'V12' },
      { path: 'algorithm.environments["A.B"]', code: FieldCode.InvalidFormat, rule: 'V12' },
      { path: 'algorithm.environments.A-B', code: FieldCode.InvalidFormat, rule: 'V12' },
      { path: 'algorithm.environments.OK', code: FieldCode.InvalidType, rule: 'V12' },
    );
  });

  it('the MA_* knobs the guide lets users set are accepted (L315-318, L409-427, L12087-12092, L12501-12534)', () => {
    const environments = {
      MA_RUN_METHOD: 'torchrun', MA_TORCHRUN_MASTER_PORT: '29500', MA_EXTRA_TORCHRUN_PARAMS: '--rdzv_conf=timeout=7200',
      MA_SCRIPT_INTERPRETER: '/usr/bin/python3', MA_SKIP_IMAGE_DETECT: '0', MA_HANG_DETECT_TIME: '720',
    };
    expect(errorsOf(with_((d) => (d.algorithm.environments = environments)))).toEqual([]);
  });

  it('MA_* knob values are checked: run method, port, minutes 10–720, 0/1 switch, interpreter', () => {
    expectOnly(
      with_((d) => (d.algorithm.environments = {
        MA_RUN_METHOD: 'mpirun', MA_TORCHRUN_MASTER_PORT: '70000', MA_HANG_DETECT_TIME: '9', MA_SKIP_IMAGE_DETECT: 'yes', MA_SCRIPT_INTERPRETER: ' ',
      })),
      { path: 'algorithm.environments.MA_RUN_METHOD', code: FieldCode.InvalidFormat, rule: 'V12' },
      { path: 'algorithm.environments.MA_TORCHRUN_MASTER_PORT', code: FieldCode.OutOfRange, rule: 'V12' },
      { path: 'algorithm.environments.MA_HANG_DETECT_TIME', code: FieldCode.OutOfRange, rule: 'V12' },
      { path: 'algorithm.environments.MA_SKIP_IMAGE_DETECT', code: FieldCode.InvalidFormat, rule: 'V12' },
      { path: 'algorithm.environments.MA_SCRIPT_INTERPRETER', code: FieldCode.Required, rule: 'V12' },
    );
  });

  it('MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS is a knob the user sets: -1 or a positive integer (L8147-8155)', () => {
    for (const v of ['-1', '10', '600']) expect(errorsOf(with_((d) => (d.algorithm.environments = { MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS: v })))).toEqual([]);
    for (const v of ['0', '-2', 'ten', '1.5', '']) {
      expectOnly(
        with_((d) => (d.algorithm.environments = { MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS: v })),
        { path: 'algorithm.environments.MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS', code: FieldCode.OutOfRange, rule: 'V12' },
      );
    }
    expect(failoverTerminationGraceSeconds({ MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS: '10' })).toBe(10);
    expect(failoverTerminationGraceSeconds({ MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS: '-1' })).toBeUndefined();
    expect(failoverTerminationGraceSeconds(undefined)).toBeUndefined();
  });

  it('MA_RUN_METHOD may not contradict launchMethod', () => {
    const preset = { engine: { name: 'Ascend-Powered-Engine', version: '1' }, codeDir: '/srv/c', bootFile: 't.py' };
    expectOnly(
      with_((d) => (d.algorithm = { ...preset, launchMethod: 'torchrun', environments: { MA_RUN_METHOD: 'msrun' } })),
      { path: 'algorithm.environments.MA_RUN_METHOD', code: FieldCode.Conflict, rule: 'V12' },
    );
    expect(errorsOf(with_((d) => (d.algorithm = { ...preset, launchMethod: 'msrun', environments: { MA_RUN_METHOD: 'msrun' } })))).toEqual([]);
  });

  it('exactly 100 environment variables pass', () => {
    const env = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`V${i}`, '']));
    expect(errorsOf(with_((d) => (d.algorithm.environments = env)))).toEqual([]);
  });
});

describe('validateJobSpec - launch', () => {
  it('a launcher other than custom needs a boot file, not a command', () => {
    expectOnly(with_((d) => (d.algorithm.launchMethod = 'torchrun')), { path: 'algorithm.launchMethod', code: FieldCode.Conflict });
  });
  it('processesPerNode is an integer 1–1024', () => {
    expect(errorsOf(with_((d) => (d.algorithm.processesPerNode = 2)))).toEqual([]);
    expectOnly(with_((d) => (d.algorithm.processesPerNode = 0)), { path: 'algorithm.processesPerNode', code: FieldCode.OutOfRange });
    expectOnly(with_((d) => (d.algorithm.processesPerNode = 1.5)), { path: 'algorithm.processesPerNode', code: FieldCode.InvalidType });
  });
});

describe('validateJobSpec - V10/V11 inputs and outputs', () => {
  it('names are valid, unique across inputs, outputs and parameters', () => {
    expectOnly(
      with_((d) => {
        d.algorithm.parameters = [{ name: 'epochs', value: '1' }];
        d.algorithm.inputs = [{ name: 'data_url', path: '/d' }, { name: 'epochs', path: '/e' }, { name: 'bad name', path: '/f' }];
        d.algorithm.outputs = [{ name: 'data_url', path: '/o' }, { name: 'x', path: '', accessMethod: 'file' }];
      }),
      { path: 'algorithm.inputs[1].name', code: FieldCode.Duplicate, rule: 'V10' },
      { path: 'algorithm.inputs[2].name', code: FieldCode.InvalidFormat, rule: 'V10' },
      { path: 'algorithm.outputs[0].name', code: FieldCode.Duplicate, rule: 'V11' },
      { path: 'algorithm.outputs[1].path', code: FieldCode.Required, rule: 'V11' },
      { path: 'algorithm.outputs[1].accessMethod', code: FieldCode.InvalidFormat, rule: 'V11' },
    );
  });

  it('an env-method channel name is an environment variable name', () => {
    expectOnly(
      with_((d) => {
        d.algorithm.environments = { TAKEN: '1' };
        d.algorithm.inputs = [
          { name: 'data-url', path: '/d', accessMethod: 'env' },
          { name: 'MA_DATA', path: '/d', accessMethod: 'env' },
          { name: 'TAKEN', path: '/d', accessMethod: 'env' },
          { name: 'DATA', path: '/d', accessMethod: 'env' },
        ];
      }),
      { path: 'algorithm.inputs[0].name', code: FieldCode.InvalidFormat, rule: 'V10' },
      { path: 'algorithm.inputs[1].name', code: FieldCode.Forbidden, rule: 'V10' },
      { path: 'algorithm.inputs[2].name', code: FieldCode.Duplicate, rule: 'V10' },
    );
  });
});

describe('validateJobSpec - object-store channels and code dirs (issue 14)', () => {
  it('s3:// (and obs://) locations pass; preDownload is for object-store outputs (V11, L1595-1654)', () => {
    expect(errorsOf(with_((d) => {
      d.algorithm.codeDir = 's3://jobs/code/demo/';
      d.algorithm.inputs = [{ name: 'data_url', path: 's3://datasets/mnist' }, { name: 'more', path: 'obs://datasets/more/' }];
      d.algorithm.outputs = [{ name: 'train_url', path: 's3://ckpt/run-1/', preDownload: true }];
    }))).toEqual([]);
  });

  it('a malformed location, a bucketless code dir, a preDownload that is no boolean or on a local path, or on an input, each name their field', () => {
    expectOnly(
      with_((d) => {
        d.algorithm.codeDir = 's3://jobs';
        d.algorithm.inputs = [{ name: 'a', path: 's3://Bad_Bucket/x' }, { name: 'b', path: 's3://bkt/../etc', preDownload: true }];
        d.algorithm.outputs = [{ name: 'c', path: '/local/out', preDownload: true }, { name: 'e', path: 's3://ckpt/x', preDownload: 'yes' }];
      }),
      { path: 'algorithm.codeDir', code: FieldCode.InvalidFormat, rule: 'V9' },
      { path: 'algorithm.inputs[0].path', code: FieldCode.InvalidFormat, rule: 'V10' },
      { path: 'algorithm.inputs[1].preDownload', code: FieldCode.Unknown },
      { path: 'algorithm.inputs[1].path', code: FieldCode.InvalidFormat, rule: 'V10' },
      { path: 'algorithm.outputs[0].preDownload', code: FieldCode.Forbidden, rule: 'V11' },
      { path: 'algorithm.outputs[1].preDownload', code: FieldCode.InvalidType, rule: 'V11' },
    );
  });
});

describe('validateJobSpec - V14 instances, flavor', () => {
  it('nodeCount is an integer ≥ 1 and a multiple of affinityGroupSize', () => {
    expect(errorsOf(with_((d) => Object.assign(d.spec.resource, { nodeCount: 8, affinityGroupSize: 4 })))).toEqual([]);
    expectOnly(with_((d) => Object.assign(d.spec.resource, { nodeCount: 6, affinityGroupSize: 4 })), { path: 'spec.resource.nodeCount', code: FieldCode.NotMultiple, rule: 'V14' });
    expectOnly(with_((d) => (d.spec.resource.affinityGroupSize = 2)), { path: 'spec.resource.nodeCount', code: FieldCode.NotMultiple, rule: 'V14' });
    expectOnly(with_((d) => (d.spec.resource.nodeCount = 0)), { path: 'spec.resource.nodeCount', code: FieldCode.OutOfRange, rule: 'V14' });
    expectOnly(with_((d) => (d.spec.resource.nodeCount = 1.5)), { path: 'spec.resource.nodeCount', code: FieldCode.InvalidType, rule: 'V14' });
    expectOnly(with_((d) => (d.spec.resource.nodeCount = 4097)), { path: 'spec.resource.nodeCount', code: FieldCode.OutOfRange, rule: 'V14' });
    expectOnly(with_((d) => (d.spec.resource.affinityGroupSize = 0)), { path: 'spec.resource.affinityGroupSize', code: FieldCode.OutOfRange, rule: 'V14' });
  });

  it('flavor: cpu > 0, memoryMiB integer > 0, gpu/npu integers ≥ 0', () => {
    expectOnly(with_((d) => delete d.spec.resource.flavor), { path: 'spec.resource.flavor', code: FieldCode.Required });
    expectOnly(
      with_((d) => (d.spec.resource.flavor = { cpu: 0, memoryMiB: 0.5, gpu: -1, npu: 1.5, acceleratorType: '' })),
      { path: 'spec.resource.flavor.cpu', code: FieldCode.OutOfRange },
      { path: 'spec.resource.flavor.memoryMiB', code: FieldCode.InvalidType },
      { path: 'spec.resource.flavor.gpu', code: FieldCode.OutOfRange },
      { path: 'spec.resource.flavor.npu', code: FieldCode.InvalidType },
      { path: 'spec.resource.flavor.acceleratorType', code: FieldCode.Required },
    );
    expectOnly(with_((d) => (d.spec.resource.flavor = { cpu: '1', memoryMiB: 1 })), { path: 'spec.resource.flavor.cpu', code: FieldCode.InvalidType });
    expectOnly(with_((d) => (d.spec.resource.flavor = { memoryMiB: 1 })), { path: 'spec.resource.flavor.cpu', code: FieldCode.Required });
  });
});

describe('validateJobSpec - V15 priority, V17 maxRunHours', () => {
  it('priority is 1–3 and 3 needs job:setHighPriority', () => {
    for (const p of [1, 2]) expect(errorsOf(with_((d) => (d.spec.priority = p)))).toEqual([]);
    expectOnly(with_((d) => (d.spec.priority = 3)), { path: 'spec.priority', code: FieldCode.Forbidden, rule: 'V15' });
    expect(errorsOf(with_((d) => (d.spec.priority = 3)), { permissions: ['other'] })).toHaveLength(1);
    expect(errorsOf(with_((d) => (d.spec.priority = 3)), { permissions: [SET_HIGH_PRIORITY] })).toEqual([]);
    expectOnly(with_((d) => (d.spec.priority = 0)), { path: 'spec.priority', code: FieldCode.OutOfRange, rule: 'V15' });
    expectOnly(with_((d) => (d.spec.priority = '2')), { path: 'spec.priority', code: FieldCode.InvalidType, rule: 'V15' });
  });

  it('maxRunHours is an integer 1–720', () => {
    for (const h of [1, 6, 720]) expect(errorsOf(with_((d) => (d.spec.maxRunHours = h)))).toEqual([]);
    for (const h of [0, 721]) expectOnly(with_((d) => (d.spec.maxRunHours = h)), { path: 'spec.maxRunHours', code: FieldCode.OutOfRange, rule: 'V17' });
    expectOnly(with_((d) => (d.spec.maxRunHours = 1.5)), { path: 'spec.maxRunHours', code: FieldCode.InvalidType, rule: 'V17' });
  });
});

describe('validateJobSpec - V18 fault-tolerance annotations', () => {
  const ann = (a: Record<string, unknown>, gpu?: number) =>
    with_((d) => {
      d.metadata.annotations = a;
      if (gpu !== undefined) d.spec.resource.flavor.gpu = gpu;
    });
  const at = (k: string) => `metadata.annotations.fault-tolerance/${k}`;

  it('job-retry-num is an integer string 1–128', () => {
    for (const ok of ['1', '3', '128']) expect(errorsOf(ann({ 'fault-tolerance/job-retry-num': ok }))).toEqual([]);
    for (const bad of ['0', '129']) expectOnly(ann({ 'fault-tolerance/job-retry-num': bad }), { path: at('job-retry-num'), code: FieldCode.OutOfRange, rule: 'V18' });
    for (const bad of ['three', '-1', '1.5', ''])
      expectOnly(ann({ 'fault-tolerance/job-retry-num': bad }), { path: at('job-retry-num'), code: FieldCode.InvalidFormat, rule: 'V18' });
  });

  it('the other switches require job-retry-num', () => {
    expectOnly(
      ann({ 'fault-tolerance/job-unconditional-retry': 'true', 'fault-tolerance/pod-retry-num': '0' }),
      { path: at('job-retry-num'), code: FieldCode.Required, rule: 'V18' },
    );
    expect(errorsOf(ann({ 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/job-unconditional-retry': 'false', 'fault-tolerance/pod-retry-num': '0' }))).toEqual([]);
  });

  it('switch values are "true" or "false"; pod-retry-num an integer ≥ 0', () => {
    expectOnly(
      ann({ 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/job-unconditional-retry': 'yes', 'fault-tolerance/pod-retry-num': '-1', 'fault-tolerance/hccl_op_retry': 'on' }),
      { path: at('job-unconditional-retry'), code: FieldCode.InvalidFormat, rule: 'V18' },
      { path: at('pod-retry-num'), code: FieldCode.InvalidFormat, rule: 'V18' },
      { path: at('hccl_op_retry'), code: FieldCode.InvalidFormat, rule: 'V18' },
    );
  });

  it('hang-retry needs a GPU or NPU flavor', () => {
    expectOnly(ann({ 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/hang-retry': 'true' }), { path: at('hang-retry'), code: FieldCode.Forbidden, rule: 'V18' });
    expect(errorsOf(ann({ 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/hang-retry': 'true' }, 1))).toEqual([]);
    expect(errorsOf(ann({ 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/hang-retry': 'false' }))).toEqual([]);
    const npu = ann({ 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/hang-retry': 'true' });
    npu.spec.resource.flavor.npu = 8;
    expect(errorsOf(npu)).toEqual([]);
  });

  it('unknown fault-tolerance keys and non-string values are refused; other keys are free', () => {
    expectOnly(ann({ 'fault-tolerance/job-retry-nums': '3' }), { path: at('job-retry-nums'), code: FieldCode.Unknown, rule: 'V18' });
    expectOnly(ann({ owner: 7 }), { path: 'metadata.annotations.owner', code: FieldCode.InvalidType });
    expect(errorsOf(ann({ 'jupyter-lab/enable': 'true', 'anything goes': '' }))).toEqual([]);
  });
});

describe('validateJobSpec - V22 tags', () => {
  const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }));

  it('at most 20 tags with unique keys', () => {
    expect(errorsOf(with_((d) => (d.metadata.tags = tags(20))))).toEqual([]);
    expectOnly(with_((d) => (d.metadata.tags = tags(21))), { path: 'metadata.tags', code: FieldCode.TooMany, rule: 'V22' });
    expectOnly(
      with_((d) => (d.metadata.tags = [{ key: 'a', value: '1' }, { key: 'a', value: '2' }, { key: '', value: '3' }, { key: 'b' }])),
      { path: 'metadata.tags[1].key', code: FieldCode.Duplicate, rule: 'V22' },
      { path: 'metadata.tags[2].key', code: FieldCode.Required, rule: 'V22' },
      { path: 'metadata.tags[3].value', code: FieldCode.Required, rule: 'V22' },
    );
  });
});

describe('validateJobSpec - properties', () => {
  const codes = new Set<string>(Object.values(FieldCode));

  it('never throws on arbitrary input, and every error is well-formed', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const r = validateJobSpec(input);
        if (r.ok) return;
        expect(r.errors.length).toBeGreaterThan(0);
        for (const e of r.errors) {
          expect(codes.has(e.code)).toBe(true);
          expect(typeof e.path).toBe('string');
          expect(e.message.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('never throws when any one field of a valid document is replaced by junk', () => {
    const paths: string[][] = [
      ['kind'], ['metadata'], ['metadata', 'name'], ['metadata', 'description'], ['metadata', 'annotations'], ['metadata', 'tags'],
      ['algorithm'], ['algorithm', 'command'], ['algorithm', 'engine'], ['algorithm', 'bootFile'], ['algorithm', 'userId'],
      ['algorithm', 'workingDir'], ['algorithm', 'parameters'], ['algorithm', 'inputs'], ['algorithm', 'environments'],
      ['spec'], ['spec', 'resource'], ['spec', 'resource', 'flavor'], ['spec', 'resource', 'nodeCount'], ['spec', 'priority'], ['spec', 'runtime'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, junk) => {
        const d = doc();
        let at: Doc = d;
        for (const k of path.slice(0, -1)) at = at[k];
        at[path[path.length - 1]] = junk;
        const r = validateJobSpec(d);
        if (!r.ok) for (const e of r.errors) expect(codes.has(e.code)).toBe(true);
      }),
    );
  });

  it('accepts generated valid documents', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
    const envName = fc.stringMatching(/^[A-LN-Z_][A-Z0-9_]{0,15}$/);
    const valid = fc.record({
      name,
      nodeFactor: fc.integer({ min: 1, max: 8 }),
      group: fc.integer({ min: 1, max: 8 }),
      priority: fc.integer({ min: 1, max: 2 }),
      maxRunHours: fc.integer({ min: 1, max: 720 }),
      cpu: fc.double({ min: 0.01, max: 256, noNaN: true }),
      env: fc.dictionary(envName, fc.string(), { maxKeys: 100 }),
      params: fc.uniqueArray(name, { maxLength: 100 }),
      retry: fc.integer({ min: 1, max: 128 }),
    });
    fc.assert(
      fc.property(valid, (v) => {
        const d: TrainingJobSpec = {
          kind: 'job',
          metadata: { name: v.name, annotations: { 'fault-tolerance/job-retry-num': String(v.retry) } },
          algorithm: { command: 'python3 train.py', environments: v.env, parameters: v.params.map((n) => ({ name: n, value: 'x' })) },
          spec: {
            resource: { flavor: { cpu: v.cpu, memoryMiB: 512 }, nodeCount: v.nodeFactor * v.group, affinityGroupSize: v.group },
            priority: v.priority,
            maxRunHours: v.maxRunHours,
          },
        };
        expect(errorsOf(d)).toEqual([]);
      }),
    );
  });
});

describe('validateJobSpec - V21 SSH trust (L2129-2144)', () => {
  it('accepts the switch alone and the default dir (L2143)', () => {
    expectOnly(with_((d) => (d.spec.sshTrust = { enabled: true })));
    expectOnly(with_((d) => (d.spec.sshTrust = { enabled: true, dir: '/home/ma-user/.ssh' })));
    expectOnly(with_((d) => (d.spec.sshTrust = { enabled: false })));
  });

  it('needs a boolean switch and refuses unknown fields', () => {
    expectOnly(with_((d) => (d.spec.sshTrust = {})), { path: 'spec.sshTrust.enabled', code: FieldCode.Required, rule: 'V21' });
    expectOnly(with_((d) => (d.spec.sshTrust = { enabled: 'yes' })), { path: 'spec.sshTrust.enabled', code: FieldCode.InvalidType, rule: 'V21' });
    expectOnly(with_((d) => (d.spec.sshTrust = { enabled: true, port: 22 })), { path: 'spec.sshTrust.port', code: FieldCode.Unknown });
  });

  it('refuses it on the container runtime (not set up there yet), naming the switch; off is fine there', () => {
    const container = (trust: unknown) =>
      with_((d) => {
        d.spec.runtime = 'container';
        d.algorithm.image = 'localhost/trainyard-test:busybox';
        d.spec.sshTrust = trust;
      });
    expectOnly(container({ enabled: true }), { path: 'spec.sshTrust.enabled', code: FieldCode.Conflict, rule: 'V21' });
    expectOnly(container({ enabled: false }));
  });

  it('keeps the trust dir under /home/ma-user, with no way out of it', () => {
    for (const dir of ['/etc/ssh', '/home/ma-user', '/home/ma-user/../../root/.ssh', '/home/ma-user/./x', 'home/ma-user/.ssh', '/home/ma-userx/.ssh', '/home/ma-user/.ssh/']) {
      expectOnly(with_((d) => (d.spec.sshTrust = { enabled: true, dir })), { path: 'spec.sshTrust.dir', code: FieldCode.InvalidFormat, rule: 'V21' });
    }
  });
});
