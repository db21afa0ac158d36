import { DicomError, describeThrown } from '../dicom-error';

/** What an emscripten module factory accepts from us: where its printf output goes. */
interface ModuleOptions {
  print: (line: string) => void;
  printErr: (line: string) => void;
}

/**
 * One emscripten codec module, instantiated on first use and kept. The module's printf lines
 * (openjpeg logs `[INFO]` for every tile) never reach stdout, which must stay clean for `--json`:
 * they are kept, and the `[ERROR]` ones explain a failed decode. A module that aborted (out of
 * memory on a corrupt header, say) is dropped and made afresh on the next call.
 */
export class WasmCodec<Lib> {
  private lib: Promise<Lib> | null = null;
  private lines: string[] = [];

  constructor(
    private readonly name: string,
    private readonly factory: (options: ModuleOptions) => Promise<Lib>,
  ) {}

  private load(): Promise<Lib> {
    const keep = (line: string): void => {
      this.lines.push(line);
      if (this.lines.length > 50) this.lines.shift();
    };
    this.lib ??= this.factory({ print: keep, printErr: keep }).catch((err: unknown) => {
      this.lib = null;
      throw new DicomError(`${this.name} decoder does not load: ${describeThrown(err)}`);
    });
    return this.lib;
  }

  /**
   * Runs `work` with the module. Anything it throws becomes a DicomError naming the codec and the
   * codec's last error line.
   */
  async run<T>(work: (lib: Lib) => T): Promise<T> {
    const lib = await this.load();
    this.lines = [];
    try {
      return work(lib);
    } catch (err) {
      if (err instanceof DicomError) throw err;
      this.lib = null; // an aborted emscripten module cannot be used again
      throw new DicomError(`${this.name} decoder failed: ${this.lastError() ?? describeThrown(err)}`);
    }
  }

  /** The last `[ERROR]` line the module printed during the current run, without the prefix. */
  lastError(): string | null {
    const line = [...this.lines].reverse().find((l) => /error/i.test(l));
    return line ? line.replace(/^\[ERROR\]\s*/, '').trim() : null;
  }
}
