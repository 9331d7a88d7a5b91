/** Renders a value for an error message: `` `0` (number) ``, `` `"x"` (string) ``. */
export function describe(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `\`${show(value)}\` (${type})`;
}

function show(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'function':
      return value.name ? `[Function ${value.name}]` : '[Function]';
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'object': {
      if (value === null) return 'null';
      let shown: string;
      try {
        shown = JSON.stringify(value) ?? Object.prototype.toString.call(value);
      } catch {
        shown = Object.prototype.toString.call(value);
      }
      return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
    }
    default:
      return String(value);
  }
}
