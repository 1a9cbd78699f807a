// Shapes of the server's REST API (see the web protocol, v1).

export type EntryType = 'directory' | 'notebook' | 'file';

export interface FileEntry {
  name: string;
  path: string;
  type: EntryType;
  size: number;
  modified: string;
}

export interface DirListing {
  path: string;
  entries: FileEntry[];
}

export interface NotebookFile {
  path: string;
  modified: string;
  etag: string;
  notebook: unknown;
  /** What could not be read of a damaged file (line, cell, field); notebook holds the rest. */
  damage?: string[];
  /** For a notebook of another kernel: "This notebook is for Python 3 (kernel python3); Firn runs Go." */
  kernel_mismatch?: string;
}

export interface SaveResult {
  path: string;
  modified: string;
  etag: string;
}

export type FileOp = 'create' | 'mkdir' | 'rename' | 'copy' | 'delete' | 'restore';

export interface Lesson {
  file: string;
  title: string;
}

export type KernelState = 'starting' | 'idle' | 'busy' | 'dead' | 'restarting';

/** SessionKernel is a session's kernel: its state and which kernel it is. */
export interface SessionKernel {
  state: KernelState;
  execution_count: number;
  pid?: number;
  /** Where the kernel runs ("local") and what carries its messages ("pipe", "tcp"). */
  name?: string;
  transport?: string;
  /** The kernel's name in GET /api/kernels ("local", "local-tcp"): what the picker shows. */
  spec?: string;
}

/** KernelChoice is a kernel a notebook can run on (GET /api/kernels). */
export interface KernelChoice {
  name: string;
  description: string;
  where: string;
  transport: string;
  /** Settings the user chooses when switching, each with its allowed values (the first the default). */
  options?: Record<string, string[]>;
}

export interface KernelList {
  default: string;
  kernels: KernelChoice[];
}

export interface Session {
  id: string;
  path: string;
  kernel: SessionKernel;
  /** Why the notebook does not run on the kernel its metadata.firn.kernel names (an unknown one). */
  kernel_note?: string;
  /** seq of the session's last frame when the answer was made (frames up to it are a replay). */
  seq?: number;
  /** etag of the file version the frames up to seq belong to; a file with another etag must not get them. */
  etag?: string;
}
