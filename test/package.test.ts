// The built package, as a user imports it: ESM and CommonJS, by its own name.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

const built = existsSync(new URL('../dist/index.js', import.meta.url));

describe('the built package', { skip: built ? false : 'run `npm run build` first' }, () => {
  it('imports by name from ESM', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import * as crew from 'crew'; console.log(Object.keys(crew).sort().join(','))",
      ],
      { encoding: 'utf8' },
    );
    assert.match(out, /CrewError/);
  });

  it('requires by name from CommonJS with the same exports', () => {
    const esm = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import * as crew from 'crew'; console.log(Object.keys(crew).sort().join(','))",
      ],
      { encoding: 'utf8' },
    );
    const cjs = execFileSync(
      process.execPath,
      ['-e', "console.log(Object.keys(require('crew')).sort().join(','))"],
      { encoding: 'utf8' },
    );
    assert.equal(cjs, esm.replace('default,', ''));
  });
});
