import { extname, isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Turns what callers pass as a module name into a short, stable one: a `file:` URL
 * (`import.meta.url`) or an absolute path (`__filename`) becomes the path relative to the
 * app's working directory, without its extension, with `/` separators. Anything else is
 * kept as given, like Python's `__name__`.
 */
export function moduleName(module: string, cwd: string = process.cwd()): string {
  let path: string | undefined;
  if (module.startsWith('file:')) {
    try {
      path = fileURLToPath(module);
    } catch {
      return module;
    }
  } else if (isAbsolute(module)) {
    path = module;
  }
  if (path === undefined) return module;
  const relativePath = relative(cwd, path) || path;
  const withoutExtension = relativePath.slice(0, relativePath.length - extname(relativePath).length);
  return withoutExtension.split(sep).join('/');
}
