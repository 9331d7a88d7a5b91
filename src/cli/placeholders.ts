import { posix } from 'node:path';

/**
 * GNU parallel's replacement strings, with GNU parallel's exact meanings (checked against
 * `parallel` 20221122):
 *
 * | string | meaning | `a/b.c/d.e.f` |
 * | --- | --- | --- |
 * | `{}` | the input | `a/b.c/d.e.f` |
 * | `{.}` | the input without its extension (the last `.` after the last `/`, to the end) | `a/b.c/d.e` |
 * | `{/}` | the basename (everything after the last `/`) | `d.e.f` |
 * | `{//}` | the dirname (`.` when there is no `/`) | `a/b.c` |
 * | `{/.}` | the basename without its extension | `d.e` |
 * | `{#}` | the job's sequence number, from 1 | `1` |
 * | `{%}` | the job slot, from 1 to `--jobs` | `1` |
 *
 * Substitution happens inside single argv elements and never goes through a shell, so an
 * input such as `x; rm -rf ~` or `$(id)` is only ever an argument.
 */
export type Placeholder = '{}' | '{.}' | '{/}' | '{//}' | '{/.}' | '{#}' | '{%}';

/** What a template is filled with for one job. */
export interface Fill {
  input: string;
  seq: number;
  slot: number;
}

const PATTERN = /\{(?:|\.|\/|\/\/|\/\.|#|%)\}/g;

function withoutExtension(text: string): string {
  return text.replace(/\.[^/.]*$/, '');
}

function basename(text: string): string {
  return text.replace(/^.*\//, '');
}

function replacement(token: string, fill: Fill): string {
  switch (token as Placeholder) {
    case '{}':
      return fill.input;
    case '{.}':
      return withoutExtension(fill.input);
    case '{/}':
      return basename(fill.input);
    case '{//}':
      return posix.dirname(fill.input);
    case '{/.}':
      return withoutExtension(basename(fill.input));
    case '{#}':
      return String(fill.seq);
    case '{%}':
      return String(fill.slot);
  }
}

/**
 * A command line (argv, never a shell string) compiled once, filled per job. Elements without a
 * placeholder are reused as they are, so filling allocates only what changes.
 */
export class CommandTemplate {
  readonly #argv: readonly string[];
  readonly #dynamic: readonly boolean[];
  /** Whether the input is appended as the last argument: the template has no placeholder at all (as in GNU parallel). */
  readonly appendsInput: boolean;

  constructor(argv: readonly string[]) {
    this.#argv = argv;
    this.#dynamic = argv.map((arg) => new RegExp(PATTERN.source).test(arg));
    this.appendsInput = !this.#dynamic.includes(true);
  }

  /** The argv for one job: the program first, then its arguments. */
  fill(fill: Fill): string[] {
    const out = new Array<string>(this.#argv.length + (this.appendsInput ? 1 : 0));
    for (let i = 0; i < this.#argv.length; i++) {
      const arg = this.#argv[i]!;
      out[i] = this.#dynamic[i] ? arg.replace(PATTERN, (token) => replacement(token, fill)) : arg;
    }
    if (this.appendsInput) out[this.#argv.length] = fill.input;
    return out;
  }
}
