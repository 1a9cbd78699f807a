// nbformat 4 reading and writing. Every field Firn does not know is kept
// as it was read, so a notebook round-trips without losing anything.

export type MultilineString = string | string[];
export type JSONObject = Record<string, unknown>;

export type CellType = 'code' | 'markdown' | 'raw';

/** An output as stored in .ipynb (stream, display_data, execute_result, error). */
export interface NbOutput extends JSONObject {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error' | string;
}

/** joinSource turns an nbformat multiline string into one string. */
export function joinSource(s: unknown): string {
  if (Array.isArray(s)) return s.map(String).join('');
  return typeof s === 'string' ? s : '';
}

/** splitLines is Jupyter's list form: each line keeps its "\n". */
export function splitLines(s: string): string[] {
  if (s === '') return [];
  const out = s.split(/(?<=\n)/);
  return out;
}

/** normalizeOutput joins multiline text fields of an output (data values, stream text). */
export function normalizeOutput(o: JSONObject): NbOutput {
  const out: JSONObject = { ...o };
  if (out['output_type'] === 'stream') out['text'] = joinSource(out['text']);
  const data = out['data'];
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const d: JSONObject = {};
    for (const [k, v] of Object.entries(data as JSONObject)) {
      d[k] = Array.isArray(v) && !k.endsWith('json') ? v.map(String).join('') : v;
    }
    out['data'] = d;
  }
  return out as NbOutput;
}

/** denormalizeOutput writes text fields in Jupyter's list-of-lines form. */
export function denormalizeOutput(o: NbOutput): JSONObject {
  const out: JSONObject = { ...o };
  if (out['output_type'] === 'stream' && typeof out['text'] === 'string') out['text'] = splitLines(out['text']);
  const data = out['data'];
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const d: JSONObject = {};
    for (const [k, v] of Object.entries(data as JSONObject)) {
      d[k] = typeof v === 'string' && (k.startsWith('text/') || k === 'image/svg+xml') ? splitLines(v) : v;
    }
    out['data'] = d;
  }
  if ((out['output_type'] === 'display_data' || out['output_type'] === 'execute_result') && !('metadata' in out)) {
    out['metadata'] = {};
  }
  return out;
}
