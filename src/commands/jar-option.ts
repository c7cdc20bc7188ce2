import { statSync } from 'node:fs';
import { InvalidArgumentError, Option } from 'commander';

/**
 * --jar <path> of the commands that deploy or run the UDF jar. The path is checked when the flag is
 * parsed: `up --jar typo.jar` used to fail only after downloading Kafka and writing the state dir.
 */
export function jarOption(what: string): Option {
  return new Option('--jar <path>', `${what} (default: udf-jar/target if built, else the committed udf-jar/dist jar)`).argParser(existingFile);
}

function existingFile(path: string): string {
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) {
    throw new InvalidArgumentError(`no file at '${path}': give the path of a built jar, or leave --jar out to use the bundled one`);
  }
  return path;
}
