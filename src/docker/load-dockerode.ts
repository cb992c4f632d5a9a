import Module, { createRequire } from 'node:module';
import type Docker from 'dockerode';

const requireModule = createRequire(import.meta.url);

/**
 * dockerode, without loading at start what only ssh:// engines (ssh2, with its WebAssembly heap) and BuildKit
 * sessions (gRPC, protobufjs) use: about 8 MiB resident that a local socket never needs. Each is loaded on its
 * first call instead, so an ssh:// DOCKER_HOST still works.
 */
export function loadDockerode(): typeof Docker {
  try {
    const requireFromDockerode = createRequire(requireModule.resolve('dockerode'));
    deferFunctionModule(requireFromDockerode, './session.js');
    deferFunctionModule(createRequire(requireFromDockerode.resolve('docker-modem')), './ssh.js');
  } catch {
    // Another layout of dockerode or docker-modem: load them as they are.
  }
  return requireModule('dockerode') as typeof Docker;
}

/** Puts a stand-in for a module whose export is one function into the require cache; the module loads on the first call. */
function deferFunctionModule(requireFrom: NodeJS.Require, specifier: string): void {
  const filename = requireFrom.resolve(specifier);
  if (requireFrom.cache[filename] !== undefined) return;
  let real: ((...args: unknown[]) => unknown) | undefined;
  const stand = new Module(filename);
  stand.filename = filename;
  stand.loaded = true;
  stand.exports = function deferred(this: unknown, ...args: unknown[]): unknown {
    if (real === undefined) {
      delete requireFrom.cache[filename];
      real = requireFrom(filename) as (...args: unknown[]) => unknown;
    }
    return real.apply(this, args);
  };
  requireFrom.cache[filename] = stand;
}
