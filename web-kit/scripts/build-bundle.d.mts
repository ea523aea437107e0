export interface BundleSpec {
  /** Base name of the outputs: `<name>.js`, `<name>.css`. */
  name: string;
  /** The UI's folder (with `src/main.tsx`; the bundle goes to `build/`), as a file URL ending in `/`. */
  uiDir: URL;
  /** Prefix of the CLI's messages. */
  tag: string;
  /** The calling build script's `import.meta.url`. */
  script: string;
}

export interface Bundle {
  isStale(): boolean;
  build(): Promise<string[]>;
  main(argv?: string[]): Promise<void>;
}

export function defineBundle(spec: BundleSpec): Bundle;
export function bundleCommand(spec: BundleSpec): Promise<Bundle>;
