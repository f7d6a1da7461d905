import { join } from 'node:path';
import ts from 'typescript';

/** TS2578: Unused '@ts-expect-error' directive: how a misuse that compiles shows up. */
export const UNUSED_DIRECTIVE = 2578;

/** How long compiling the packages' sources for one check may take on a loaded machine. */
export const COMPILE_TIMEOUT = 120_000;

/**
 * The TypeScript-API compile harness: compiles a types file (or an in-memory source served as
 * `virtualFile`, which no tsconfig glob ever sees) with the root tsconfig's options (strict, paths
 * to the packages' sources) and returns the diagnostics of the options, the globals and that file.
 * An `@ts-expect-error` above a misuse that compiles is itself an error (TS2578), so zero
 * diagnostics means every misuse listed is still refused. The packages' own sources are checked
 * by `tsc`; checking only what the file uses keeps this fast, and parsed files (node's and ws's
 * typings) are shared by every compilation of one checker.
 */
export class TypeChecker {
  private readonly options: ts.CompilerOptions;
  private readonly parsed = new Map<string, ts.SourceFile>();
  private readonly formatHost: ts.FormatDiagnosticsHost;

  constructor(
    /** The repository root: where tsconfig.json is. */
    private readonly root: string,
    /** Where in-memory sources are served (a path in the folder of the types file, not on disk). */
    readonly virtualFile: string,
  ) {
    this.formatHost = { getCanonicalFileName: (fileName) => fileName, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    const configPath = join(root, 'tsconfig.json');
    const read = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
    if (read.error !== undefined) throw new Error(this.format([read.error]));
    const config = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
    if (config.errors.length > 0) throw new Error(this.format(config.errors));
    this.options = { ...config.options, noEmit: true };
  }

  /** Compiles `rootName`, with `virtualSource` served as {@link virtualFile}; returns its diagnostics. */
  compile(rootName: string, virtualSource?: string): { diagnostics: readonly ts.Diagnostic[]; program: ts.Program } {
    const host = ts.createCompilerHost(this.options, true);
    const { getSourceFile, fileExists, readFile } = host;
    const virtualFile = this.virtualFile;
    host.fileExists = (fileName) => fileName === virtualFile || fileExists.call(host, fileName);
    host.readFile = (fileName) => (fileName === virtualFile ? virtualSource : readFile.call(host, fileName));
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      if (fileName === virtualFile) {
        return virtualSource === undefined ? undefined : ts.createSourceFile(fileName, virtualSource, languageVersion, true);
      }
      let file = this.parsed.get(fileName);
      if (file === undefined) {
        file = getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate);
        if (file !== undefined) this.parsed.set(fileName, file);
      }
      return file;
    };
    const program = ts.createProgram({ rootNames: [rootName], options: this.options, host });
    const file = program.getSourceFile(rootName);
    if (file === undefined) throw new Error(`${rootName} is not part of the program`);
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...program.getSyntacticDiagnostics(file),
      ...program.getSemanticDiagnostics(file),
    ];
    return { diagnostics, program };
  }

  /**
   * Compiles `source` as the virtual file and returns the diagnostics in it. Throws when there are
   * others: anything outside the virtual file is a broken setup, not the misuse under test.
   */
  check(source: string): ts.Diagnostic[] {
    const { diagnostics } = this.compile(this.virtualFile, source);
    const outside = diagnostics.filter((diagnostic) => diagnostic.file?.fileName !== this.virtualFile);
    if (outside.length > 0) throw new Error(`Diagnostics outside the checked source:\n${this.format(outside)}`);
    return diagnostics.filter((diagnostic) => diagnostic.file?.fileName === this.virtualFile);
  }

  /** Diagnostics as tsc prints them; '' for none. */
  format(diagnostics: readonly ts.Diagnostic[]): string {
    return ts.formatDiagnostics(diagnostics, this.formatHost);
  }
}

/** Zero-based line of each diagnostic. */
export function diagnosticLines(diagnostics: readonly ts.Diagnostic[]): number[] {
  return diagnostics.map((diagnostic) => diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start!).line);
}
